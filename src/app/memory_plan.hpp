#pragma once
// The per-rank memory plan of a fit (what `dnmf info` prints and `fit` checks before it reads
// X): every buffer of the largest rank, grouped by the phase that holds it.

#include <cstdint>
#include <string>
#include <vector>

#include "dnmf/core/grid_shape.hpp"
#include "dnmf/io/hdf5.hpp"
#include "dnmf/mpi/comm.hpp"
#include "dnmf/nmf/params.hpp"

namespace dnmf::app {

/// The shape of the largest rank's share of a fit.
struct MemoryShape {
  std::int64_t k = 0;
  GridShape grid;
  double elem = 8;  ///< bytes per value (float32 4, float64 8)
  bool sparse = false;
  std::int64_t block_rows = 0;    ///< the longest block of X's rows (|R_i|)
  std::int64_t block_cols = 0;    ///< the longest block of X's columns (|C_j|)
  std::int64_t block_nnz = 0;     ///< sparse: the most stored entries in one rank's block
  std::int64_t feature_rows = 0;  ///< n_features (X's columns)
  Solver solver = Solver::cd;
  double beta = 2;
  Init init = Init::random;  ///< the resolved init (nndsvd* count the randomized SVD)
  bool one_pass = false;     ///< dense X, PC = 1 and a solver that visits X once per iteration
  bool masked = false;       ///< --missing / --mask (issue #16): masked products, no one pass
};

/// One buffer (or group of buffers) of the plan.
struct MemoryItem {
  std::string name;
  double bytes = 0;
};

/// What one rank holds. `resident` lasts the whole fit (the process, X, the factors); the
/// phases come one after another, so the peak is `resident` plus the largest phase.
struct MemoryPlan {
  std::vector<MemoryItem> resident, read, init, iterate, write;
  double phase_bytes(const std::vector<MemoryItem>& phase) const;
  double total() const;  ///< the expected peak resident size per rank
};

/// The resident size of a bare dnmf rank (MPI, HDF5, OpenBLAS, the binary), measured.
constexpr double kBareProcessBytes = 30.0 * 1024 * 1024;

MemoryPlan plan_memory(const MemoryShape& s);

/// The plan of a fit of `x` (computed in `type`) with k components on `grid`, from the file's
/// shape alone: even blocks, and for sparse X the mean stored entries per rank plus 10%.
MemoryPlan plan_fit_memory(const io::DatasetInfo& x, io::ElementType type, std::int64_t k,
                           const GridShape& grid, const NmfParams& params, Init init,
                           bool masked = false);

/// Refuses (UsageError on every rank) a plan larger than what this rank may have: the smallest
/// of its cgroup's limit, RLIMIT_AS and MemAvailable shared among the ranks on its node. The
/// message gives the need, the limit and its source. Collective.
void check_memory(const mpi::Comm& comm, const MemoryPlan& plan);

/// "1.5 GiB".
std::string human_bytes(double bytes);

/// The plan as lines for `info`: the total and the largest items.
std::string describe(const MemoryPlan& plan);

}  // namespace dnmf::app
