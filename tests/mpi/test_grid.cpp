#include <gtest/gtest.h>

#include "dnmf/core/error.hpp"
#include "dnmf/dist/grid.hpp"
#include "test_helpers.hpp"

namespace dnmf {
namespace {

TEST(ProcessGrid, CommunicatorsFollowRowMajorRankLayout) {
  const mpi::Comm comm = test::world_comm();
  for (const GridShape shape : test::all_grids(comm.size())) {
    const ProcessGrid grid(comm, shape);
    EXPECT_EQ(grid.my_row(), comm.rank() / shape.pc);
    EXPECT_EQ(grid.my_col(), comm.rank() % shape.pc);
    EXPECT_EQ(grid.row_comm().size(), shape.pc);
    EXPECT_EQ(grid.col_comm().size(), shape.pr);
    EXPECT_EQ(grid.row_comm().rank(), grid.my_col());
    EXPECT_EQ(grid.col_comm().rank(), grid.my_row());
  }
}

TEST(ProcessGrid, WrongSizeIsAUsageError) {
  const mpi::Comm comm = test::world_comm();
  EXPECT_THROW(ProcessGrid(comm, GridShape{comm.size() + 1, 1}), UsageError);
}

}  // namespace
}  // namespace dnmf
