#include "plan.hpp"

#include "dnmf/core/error.hpp"

namespace dnmf::app {

io::ElementType compute_type(const io::DatasetInfo& x, std::optional<io::ElementType> requested) {
  if (requested) return *requested;
  return x.type == io::ElementType::float32 ? io::ElementType::float32 : io::ElementType::float64;
}

io::DatasetInfo probe_input(const mpi::Comm& comm, const std::string& input) {
  const io::DatasetInfo info = io::probe_matrix(comm, io::parse_object_path(input));
  mpi::agree(comm, [&] {
    if (info.rows < 1 || info.cols < 1) {
      throw InputError("Found array with shape (" + std::to_string(info.rows) + ", " +
                       std::to_string(info.cols) + ") in " + input +
                       "; NMF needs at least 1 sample and 1 feature");
    }
  });
  return info;
}

double x_memory_bytes(const io::DatasetInfo& x, io::ElementType type) {
  const double elem = type == io::ElementType::float32 ? 4.0 : 8.0;
  return x.sparse ? static_cast<double>(x.nnz) * (elem + 8.0)
                  : static_cast<double>(x.rows) * static_cast<double>(x.cols) * elem;
}

GridShape pick_grid(const mpi::Comm& comm, const std::optional<GridShape>& requested,
                    std::int64_t m, std::int64_t n, std::int64_t k, double x_bytes, bool one_pass) {
  GridShape shape;
  mpi::agree(comm, [&] {
    shape = requested ? *requested : choose_grid(m, n, k, comm.size(), x_bytes, one_pass);
    if (shape.size() != comm.size()) {
      throw UsageError("grid: " + shape.str() + " needs " + std::to_string(shape.size()) +
                       " ranks, but the job has " + std::to_string(comm.size()));
    }
  });
  return shape;
}

void check_outputs(const mpi::Comm& comm, std::vector<io::RolePath> inputs,
                   std::vector<io::RolePath> outputs) {
  for (auto* list : {&inputs, &outputs})
    for (io::RolePath& r : *list)
      if (!r.path.empty()) r.path = io::parse_object_path(r.path, "/").file;
  mpi::agree(comm, [&] {
    if (comm.rank() == 0) io::check_outputs_distinct(inputs, outputs);
  });
}

}  // namespace dnmf::app
