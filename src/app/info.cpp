#include <cstdio>

#include "dnmf/app/commands.hpp"
#include "dnmf/core/grid_shape.hpp"
#include "dnmf/core/partition.hpp"
#include "dnmf/io/hdf5.hpp"

namespace dnmf::app {
namespace {
std::string human_bytes(double b) {
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

void info(const mpi::Comm& comm, const std::string& input, int ranks, std::int64_t k,
          std::ostream& out) {
  const io::DatasetInfo d = io::probe_dense(comm, io::parse_object_path(input));
  if (comm.rank() != 0) return;
  const GridShape g = choose_grid(d.rows, d.cols, k, ranks);
  const double elem = d.type == io::ElementType::float32 ? 4.0 : 8.0;
  // The largest rank: first block row and column are the biggest of the balanced split.
  const double mi = static_cast<double>(block_range(d.rows, g.pr, 0).size);
  const double nj = static_cast<double>(block_range(d.cols, g.pc, 0).size);
  const double x_bytes = mi * nj * elem;
  // Owned factor rows, the gathered blocks of W and Ht, the partial products (both sides), and
  // the update temporaries.
  const double kd = static_cast<double>(k);
  const double factor_bytes = elem * kd * (2.0 * mi + 2.0 * nj + 3.0 * (mi / g.pc + nj / g.pr));
  out << "input:   " << d.path.str() << "\n"
      << "shape:   " << d.rows << " x " << d.cols << " (n_samples x n_features)\n"
      << "dtype:   " << io::to_string(d.type)
      << (d.type == io::ElementType::integer ? " (computed as float64)" : "") << "\n"
      << "storage: dense\n"
      << "plan for " << ranks << " rank(s), k = " << k << ": grid " << g.str()
      << ", words moved per iteration per rank ~"
      << words_per_iteration(d.rows, d.cols, k, g) << "\n"
      << "memory per rank (largest): X block " << human_bytes(x_bytes) << " + factors "
      << human_bytes(factor_bytes) << " = " << human_bytes(x_bytes + factor_bytes) << "\n";
}

}  // namespace dnmf::app
