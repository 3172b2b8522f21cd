#pragma once
// Planning a run before any data is read: the computing dtype, the input's shape, X's memory
// and the process grid.

#include <optional>
#include <string>
#include <vector>

#include "dnmf/core/grid_shape.hpp"
#include "dnmf/io/file_identity.hpp"
#include "dnmf/io/hdf5.hpp"
#include "dnmf/mpi/comm.hpp"

namespace dnmf::app {

/// `requested` (--dtype) if given, else float32 for float32 data and float64 otherwise
/// (integers included).
io::ElementType compute_type(const io::DatasetInfo& x, std::optional<io::ElementType> requested);

/// Probes INPUT and rejects an empty matrix (InputError). Collective.
io::DatasetInfo probe_input(const mpi::Comm& comm, const std::string& input);

/// X's bytes in memory computed in `type`: every entry when dense, value and 64-bit index per
/// stored entry when sparse.
double x_memory_bytes(const io::DatasetInfo& x, io::ElementType type);

/// The grid for an m x n problem of rank k: `requested` if given, else choose_grid's, which
/// weighs the words moved against the passes over X (`x_bytes` in total; one pass when
/// `one_pass` and PC = 1). UsageError when it does not fit the job. Collective.
GridShape pick_grid(const mpi::Comm& comm, const std::optional<GridShape>& requested,
                    std::int64_t m, std::int64_t n, std::int64_t k, double x_bytes = 0,
                    bool one_pass = false);

/// Refuses (UsageError on every rank) an output that is the same file as an input or as another
/// output, whatever the spelling ("file.h5:/object" specs name their file). Rank 0 looks, all
/// agree. Called before any work, so nothing a user has is touched. Collective.
void check_outputs(const mpi::Comm& comm, std::vector<io::RolePath> inputs,
                   std::vector<io::RolePath> outputs);

}  // namespace dnmf::app
