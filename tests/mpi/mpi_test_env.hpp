#pragma once
// Shared helpers for MPI tests: the world communicator (only the test main touches
// MPI_COMM_WORLD) and the grid shapes to try for the current rank count.

#include <mpi.h>

#include <vector>

#include "dnmf/core/grid_shape.hpp"

namespace dnmf::test {
MPI_Comm world();

/// Every PR x PC factorisation of p: both orientations and the square one.
inline std::vector<GridShape> all_grids(int p) {
  std::vector<GridShape> out;
  for (int pr = 1; pr <= p; ++pr)
    if (p % pr == 0) out.push_back({pr, p / pr});
  return out;
}
}  // namespace dnmf::test
