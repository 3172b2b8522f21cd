#pragma once
/// @file The process grid: the single owner of the communicators used by the distributed layer.

#include "dnmf/core/grid_shape.hpp"
#include "dnmf/mpi/comm.hpp"

namespace dnmf {

/// A PR x PC grid over a communicator. Rank r of `all()` sits at (row = r / pc, col = r % pc).
///   row_comm(): the pc ranks of my grid row, ordered by grid column;
///   col_comm(): the pr ranks of my grid column, ordered by grid row.
/// Not copyable: distributed objects keep a reference to the grid they live on.
class ProcessGrid {
 public:
  /// Collective over `comm`; throws UsageError if shape.size() != comm.size().
  ProcessGrid(const mpi::Comm& comm, GridShape shape);
  ProcessGrid(const ProcessGrid&) = delete;
  ProcessGrid& operator=(const ProcessGrid&) = delete;

  const mpi::Comm& all() const { return all_; }
  const mpi::Comm& row_comm() const { return row_; }
  const mpi::Comm& col_comm() const { return col_; }
  GridShape shape() const { return shape_; }
  int pr() const { return shape_.pr; }
  int pc() const { return shape_.pc; }
  int my_row() const { return my_row_; }
  int my_col() const { return my_col_; }
  int rank() const { return rank_; }
  int size() const { return shape_.size(); }

 private:
  GridShape shape_;
  mpi::Comm all_;
  mpi::Comm row_;
  mpi::Comm col_;
  int rank_ = 0;
  int my_row_ = 0;
  int my_col_ = 0;
};

}  // namespace dnmf
