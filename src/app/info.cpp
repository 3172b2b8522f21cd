// `dnmf info`: what a run on an input would need, without reading the data.

#include <algorithm>
#include <cstdio>

#include "dnmf/app/commands.hpp"
#include "dnmf/core/grid_shape.hpp"
#include "dnmf/core/partition.hpp"
#include "dnmf/io/hdf5.hpp"
#include "dnmf/io/sparse.hpp"
#include "dnmf/nmf/solver.hpp"
#include "plan.hpp"
#include "report.hpp"

namespace dnmf::app {
namespace {
std::string human_bytes(double b) {  // e.g. "1.5 GiB"
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", b, units[u]);
  return buf;
}
}  // namespace

void info(const mpi::Comm& comm, const InfoConfig& cfg, std::ostream& out) {
  const std::string& input = cfg.input;
  const int ranks = cfg.ranks;
  const std::int64_t k = cfg.k;
  const io::DatasetInfo d = io::probe_matrix(comm, io::parse_object_path(input));
  std::vector<std::int64_t> per_rank;
  // The grid fit would choose with its default solver.
  const GridShape g = choose_grid(d.rows, d.cols, k, ranks, x_memory_bytes(d, d.type),
                                  !d.sparse && uses_one_pass(NmfParams{}));
  Axis rows = Axis::uniform(d.rows, g.pr), cols = Axis::uniform(d.cols, g.pc);
  mpi::agree(comm, [&] {
    if (comm.rank() == 0 && d.sparse) {
      io::SparseLayout layout = io::sparse_layout(d, g.pr, g.pc);
      rows = layout.rows;
      cols = layout.cols;
      per_rank = std::move(layout.block_nnz);
    }
  });
  if (comm.rank() != 0) return;
  const double elem = d.type == io::ElementType::float32 ? 4.0 : 8.0;
  // The largest rank: the longest block row and column (sparse blocks are cut by entries).
  const double mi = static_cast<double>(rows.longest_block());
  const double nj = static_cast<double>(cols.longest_block());
  double x_bytes = mi * nj * elem;
  std::int64_t max_nnz = 0;
  double mean_nnz = 0;
  if (d.sparse) {
    for (std::int64_t c : per_rank) max_nnz = std::max(max_nnz, c);
    mean_nnz = static_cast<double>(d.nnz) / ranks;
    // CSR: value + 64-bit column index per entry, plus the row pointers.
    x_bytes = static_cast<double>(max_nnz) * (elem + 8.0) + (mi + 1) * 8.0;
  }
  // Owned factor rows, the gathered blocks of W and Ht, the partial products (both sides), and
  // the update temporaries.
  const double kd = static_cast<double>(k);
  const double factor_bytes = elem * kd * (2.0 * mi + 2.0 * nj + 3.0 * (mi / g.pc + nj / g.pr));
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
  }
  out << "memory per rank (largest): X block " << human_bytes(x_bytes) << " + factors "
      << human_bytes(factor_bytes) << " = " << human_bytes(x_bytes + factor_bytes) << "\n";
}

}  // namespace dnmf::app
