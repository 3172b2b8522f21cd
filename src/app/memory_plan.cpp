#include "memory_plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "dnmf/core/error.hpp"
#include "dnmf/core/memory_limits.hpp"
#include "dnmf/core/partition.hpp"
#include "dnmf/nmf/solver.hpp"

namespace dnmf::app {
namespace {
double ceil_div(std::int64_t a, int b) {
  return static_cast<double>((a + b - 1) / b);
}
}  // namespace

double MemoryPlan::phase_bytes(const std::vector<MemoryItem>& phase) const {
  double sum = 0;
  for (const MemoryItem& i : phase) sum += i.bytes;
  return sum;
}

double MemoryPlan::total() const {
  return phase_bytes(resident) +
         std::max(
             {phase_bytes(read), phase_bytes(init) + phase_bytes(iterate), phase_bytes(write)});
}

MemoryPlan plan_memory(const MemoryShape& s) {
  const double e = s.elem, k = static_cast<double>(s.k);
  const double mi = static_cast<double>(s.block_rows), nj = static_cast<double>(s.block_cols);
  // Owned factor rows: a block of W is split among the PC ranks of its grid row, one of Ht
  // among the PR ranks of its grid column (DistFactor's layout).
  const double wo = ceil_div(s.block_rows, s.grid.pc), ho = ceil_div(s.block_cols, s.grid.pr);
  const double longest = std::max(mi, nj), owned = std::max(wo, ho);
  const double gram = k * k * e;
  MemoryPlan p;
  p.resident.push_back({"process (MPI, HDF5, BLAS)", kBareProcessBytes});
  if (s.sparse) {
    const double nnz = static_cast<double>(s.block_nnz);
    p.resident.push_back({"X block (CSR)", nnz * (e + 8.0) + (mi + 1) * 8.0});
    // Each rank reads its share of the file's lines and sends every entry to its block's owner
    // (position and value); measured, about one more copy of the block at once.
    p.read.push_back({"sparse reader's exchange buffers", nnz * (e + 8.0)});
  } else {
    p.resident.push_back({"X block", mi * nj * e});
    // Sparse X's observed entries are its stored ones: no mask.
    if (s.masked) p.resident.push_back({"mask (one byte per entry of the block)", mi * nj});
  }
  p.resident.push_back({"W and Ht rows", (wo + ho) * k * e});

  if (s.init == Init::nndsvd || s.init == Init::nndsvda || s.init == Init::nndsvdar) {
    // Randomized SVD with k + 10 columns: range samples on both sides, their LU/QR copies in
    // ScaLAPACK's block-cyclic layout, the SVD's factors, and the small r x r matrices (the
    // SVD of one of them on rank 0, with LAPACK's workspace). They are float64 for every input
    // type; float32 input adds float32 copies of the factor going into and out of a product.
    const double r = k + 10;
    const double converted = e < 8.0 ? r * (wo + ho) * e : 0.0;
    p.init.push_back({"randomized SVD (range samples, block-cyclic copies)",
                      2.0 * r * (wo + ho) * 8.0 + 2.0 * r * longest * 8.0 + converted});
    p.init.push_back({"randomized SVD (r x r matrices)", 4.0 * r * r * 8.0});
  }

  if (s.masked && !s.sparse && s.init != Init::random && s.init != Init::custom) {
    p.init.push_back({"X with column means in the missing entries (for the SVD)", mi * nj * e});
  }
  if (s.init == Init::custom) p.init.push_back({"custom W and H", (wo + ho) * k * e});

  // DistProducts' buffers. A factor's block is gathered only where ranks share it: W's among
  // the PC ranks of a grid row, Ht's among the PR of a grid column; one buffer takes either
  // block in turn, a second Ht's block for the residual and the beta != 2 terms.
  const double w_block = s.grid.pc > 1 ? mi : 0, h_block = s.grid.pr > 1 ? nj : 0;
  const bool beta_mu = s.solver == Solver::mu && (s.beta != 2.0 || s.masked);
  p.iterate.push_back({"gathered factor blocks", (std::max(w_block, h_block) + h_block) * k * e});
  // The local product before its reduce-scatter, dense X's product as computed (k x rows,
  // before transposing; the beta != 2 kernels write theirs directly), and the result for my
  // own rows.
  p.iterate.push_back(
      {"partial products", (s.sparse || beta_mu ? 1.0 : 2.0) * longest * k * e + owned * k * e});
  if (s.one_pass) {  // a panel's rows of X H^T (about 1 MiB of X per panel, as products.cpp)
    const double row_bytes =
        s.sparse ? static_cast<double>(s.block_nnz) * (e + 8) / std::max(1.0, mi) : nj * e;
    const double panel =
        std::clamp<double>(std::floor((1 << 20) / std::max(1.0, row_bytes)), 32, 4096);
    // dense: the panel as computed and transposed; sparse: as computed
    p.iterate.push_back({"one-pass panels", (s.sparse ? 1.0 : 2.0) * std::min(panel, mi) * k * e});
  }
  // k x k Grams: the other factor's, W^T W of the one pass, and the two of the sparse residual.
  const double grams = (s.one_pass ? 2.0 : 1.0) + (s.sparse ? 2.0 : 0.0);
  switch (s.solver) {
    case Solver::cd:
      p.iterate.push_back({"k x k Gram matrices", grams * gram});
      break;
    case Solver::mu:
      if (s.beta == 2.0 && !s.masked) {
        p.iterate.push_back({"k x k Gram matrices", grams * gram});
        p.iterate.push_back({"mu denominator", owned * k * e});
      } else {
        // The partial denominator and its sum for my rows, and the W H panels.
        p.iterate.push_back({"mu denominator (beta != 2)", owned * k * e + longest * k * e});
        p.iterate.push_back({"W H panels", 2.0 * 32768.0 * e});
      }
      break;
    case Solver::anls_bpp:
      if (s.masked) {  // every row its own Gram: the block's partial ones and my rows' sums
        p.iterate.push_back({"per-row k x k Gram matrices", (longest + owned) * gram});
      }
      // The Gram, its float64 copy and the Cholesky factor of the free set (up to k x k).
      p.iterate.push_back({"k x k Gram matrices", grams * gram + 2.0 * k * k * 8.0});
      break;
  }
  // The model writer transposes Ht's rows into H's layout.
  p.write.push_back({"H transpose block", ho * k * e});
  return p;
}

MemoryPlan plan_fit_memory(const io::DatasetInfo& x, io::ElementType type, std::int64_t k,
                           const GridShape& grid, const NmfParams& params, Init init, bool masked) {
  MemoryShape s;
  s.k = k;
  s.grid = grid;
  s.elem = type == io::ElementType::float32 ? 4.0 : 8.0;
  s.sparse = x.sparse;
  s.feature_rows = x.cols;
  s.solver = params.solver;
  s.beta = params.beta();
  s.init = init;
  s.masked = masked;
  s.one_pass = grid.pc == 1 && uses_one_pass(params) && !masked;
  s.block_rows = Axis::uniform(x.rows, grid.pr).longest_block();
  s.block_cols = Axis::uniform(x.cols, grid.pc).longest_block();
  // The reader cuts sparse blocks by stored entries, within about 10% of the mean on real
  // data; finding the exact cuts would stream the whole file once more (`info` does).
  if (x.sparse) {
    s.block_nnz = static_cast<std::int64_t>(1.1 * static_cast<double>(x.nnz) / grid.size()) + 1;
  }
  return plan_memory(s);
}

void check_memory(const mpi::Comm& comm, const MemoryPlan& plan) {
  // Ranks sharing a node share its memory (and usually its cgroup).
  const mpi::Comm node = comm.split_shared();
  const int node_ranks = node.size();
  mpi::agree(comm, [&] {
    const double need = plan.total();
    // OpenBLAS mallocs a 128 MiB buffer at its first level-3 call (mostly never touched) and
    // retries forever when that fails: under RLIMIT_AS it must fit too.
    const std::optional<MemoryLimit> limit = memory_limit(node_ranks, 128.0 * 1024 * 1024);
    if (!limit || need <= limit->bytes) return;
    // RLIMIT_AS is each process's own; the other limits are the node's, shared.
    const bool shared = limit->source.rfind("RLIMIT", 0) != 0;
    const std::string who = !shared          ? "each rank can have "
                            : node_ranks > 1 ? "each of the " + std::to_string(node_ranks) +
                                                   " ranks on this node can have "
                                             : "this rank can have ";
    throw UsageError("not enough memory: the fit needs about " + human_bytes(need) +
                     " per rank, but " + who + human_bytes(std::max(limit->bytes, 0.0)) + " (" +
                     limit->source +
                     "). Use more ranks (on more nodes), a smaller --n-components or "
                     "--dtype float32; `dnmf info` shows the plan");
  });
}

std::string human_bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int u = 0;
  while (b >= 1024 && u < 5) {
    b /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", b, units[u]);
  return buf;
}

std::string describe(const MemoryPlan& plan) {
  std::ostringstream o;
  o << "memory per rank (largest): about " << human_bytes(plan.total()) << " at peak\n";
  auto list = [&](const char* phase, const std::vector<MemoryItem>& items) {
    if (items.empty()) return;
    o << "  " << phase << " " << human_bytes(plan.phase_bytes(items)) << ":";
    const char* sep = " ";
    for (const MemoryItem& i : items) {
      o << sep << i.name << " " << human_bytes(i.bytes);
      sep = ", ";
    }
    o << "\n";
  };
  list("held throughout", plan.resident);
  list("reading X", plan.read);
  list("init", plan.init);
  list("per iteration", plan.iterate);
  list("writing the model", plan.write);
  return o.str();
}

}  // namespace dnmf::app
