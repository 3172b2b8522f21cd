// `dnmf info`: what a run on an input would need, without reading the data.

#include <algorithm>
#include <cstdio>

#include "dnmf/app/commands.hpp"
#include "dnmf/core/grid_shape.hpp"
#include "dnmf/core/partition.hpp"
#include "dnmf/io/hdf5.hpp"
#include "dnmf/io/sparse.hpp"
#include "dnmf/nmf/init.hpp"
#include "dnmf/nmf/solver.hpp"
#include "memory_plan.hpp"
#include "plan.hpp"
#include "report.hpp"

namespace dnmf::app {

void info(const mpi::Comm& comm, const InfoConfig& cfg, std::ostream& out) {
  const std::string& input = cfg.input;
  const int ranks = cfg.ranks;
  const std::int64_t k = cfg.k;
  const io::DatasetInfo d = io::probe_matrix(comm, io::parse_object_path(input));
  std::vector<std::int64_t> per_rank;
  const io::ElementType type = compute_type(d, cfg.dtype);
  // The grid and init fit would choose for this solver.
  const GridShape g = choose_grid(d.rows, d.cols, k, ranks, x_memory_bytes(d, type),
                                  uses_one_pass(cfg.params) && !cfg.masked);
  Init init = Init::random;
  mpi::agree(comm, [&] { init = resolve_init(cfg.params, k, d.rows, d.cols); });
  Axis rows = Axis::uniform(d.rows, g.pr), cols = Axis::uniform(d.cols, g.pc);
  mpi::agree(comm, [&] {
    if (comm.rank() == 0 && d.sparse) {
      io::SparseLayout layout = io::sparse_layout(d, g.pr, g.pc);
      rows = layout.rows;
      cols = layout.cols;
      per_rank = std::move(layout.block_nnz);
    }
  });
  // Sparse X with a mask keeps the mask's observed entries as its stored ones.
  io::DatasetInfo mask;
  if (d.sparse && !cfg.mask.empty())
    mask = io::probe_matrix(comm, io::parse_object_path(cfg.mask, "/M"));
  if (comm.rank() != 0) return;
  // The largest rank's stored entries (sparse blocks are cut by entries).
  std::int64_t max_nnz = 0;
  double mean_nnz = 0;
  if (d.sparse) {
    for (std::int64_t c : per_rank) max_nnz = std::max(max_nnz, c);
    mean_nnz = static_cast<double>(d.nnz) / ranks;
  }
  std::int64_t planned_nnz = max_nnz;
  if (d.sparse && !cfg.mask.empty()) {
    // A mask group's entries are assumed to fall on X's blocks as X's do; a dense mask may
    // observe a whole block.
    planned_nnz =
        mask.sparse
            ? static_cast<std::int64_t>(static_cast<double>(mask.nnz) *
                                        (d.nnz > 0 ? static_cast<double>(max_nnz) / d.nnz : 1.0))
            : rows.longest_block() * cols.longest_block();
  }
  MemoryShape shape;
  shape.k = k;
  shape.grid = g;
  shape.elem = type == io::ElementType::float32 ? 4.0 : 8.0;
  shape.sparse = d.sparse;
  shape.block_rows = rows.longest_block();
  shape.block_cols = cols.longest_block();
  shape.block_nnz = planned_nnz;
  shape.feature_rows = d.cols;
  shape.solver = cfg.params.solver;
  shape.beta = cfg.params.beta();
  shape.init = init;
  shape.masked = cfg.masked;
  shape.one_pass = g.pc == 1 && uses_one_pass(cfg.params) && !cfg.masked;
  const MemoryPlan plan = plan_memory(shape);
  out << "input:   " << d.path.str() << "\n"
      << "shape:   " << d.rows << " x " << d.cols << " (n_samples x n_features)\n"
      << "dtype:   " << io::to_string(d.type)
      << (d.type == io::ElementType::integer ? " (computed as float64)" : "") << "\n";
  if (d.sparse) {
    out << "storage: sparse " << (d.csc ? "CSC" : "CSR") << ", nnz " << d.nnz << ", density "
        << fmt("%.3g", static_cast<double>(d.nnz) /
                           (static_cast<double>(d.rows) * static_cast<double>(d.cols)))
        << "\n";
  } else {
    out << "storage: dense\n";
  }
  out << "plan for " << ranks << " rank(s), k = " << k << ": grid " << g.str()
      << ", words moved per iteration per rank ~"
      << fmt("%.4g", words_per_iteration(d.rows, d.cols, k, g))
      << " (1-D splits: " << GridShape{ranks, 1}.str() << " ~"
      << fmt("%.4g", words_per_iteration(d.rows, d.cols, k, GridShape{ranks, 1})) << ", "
      << GridShape{1, ranks}.str() << " ~"
      << fmt("%.4g", words_per_iteration(d.rows, d.cols, k, GridShape{1, ranks})) << ")\n";
  if (d.sparse) {
    out << "nnz per rank:";
    if (per_rank.size() <= 16) {
      for (std::int64_t c : per_rank) out << " " << c;
    } else {
      out << " min " << *std::min_element(per_rank.begin(), per_rank.end()) << ", mean "
          << fmt("%.0f", mean_nnz) << ", max " << max_nnz;
    }
    out << "  (max/mean " << fmt("%.3f", mean_nnz > 0 ? max_nnz / mean_nnz : 1.0) << ")\n";
    if (!cfg.mask.empty()) {
      out << "observed entries (the mask's) per rank planned: " << planned_nnz
          << (mask.sparse ? " (the mask's share on X's blocks)" : " (a dense mask: whole blocks)")
          << "\n";
    }
  }
  out << "fit planned: solver " << to_string(cfg.params.solver) << ", beta_loss "
      << cfg.params.beta_loss << ", init " << to_string(init) << ", computing in "
      << io::to_string(type) << (cfg.masked ? ", with missing entries (masked products)" : "")
      << "\n"
      << describe(plan);
}

}  // namespace dnmf::app
