#include "dnmf/dist/grid.hpp"

namespace dnmf {

ProcessGrid::ProcessGrid(const mpi::Comm& comm, GridShape shape)
    : shape_(shape), all_(comm.dup()), row_(all_), col_(all_) {
  if (shape.pr < 1 || shape.pc < 1 || shape.size() != all_.size()) {
    throw UsageError("--grid " + shape.str() + " needs " + std::to_string(shape.size()) +
                     " ranks, but the job has " + std::to_string(all_.size()));
  }
  rank_ = all_.rank();
  my_row_ = rank_ / shape.pc;
  my_col_ = rank_ % shape.pc;
  row_ = all_.split(my_row_, my_col_);
  col_ = all_.split(my_col_, my_row_);
}

}  // namespace dnmf
