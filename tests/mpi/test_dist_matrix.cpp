// Moving factors between layouts (DistFactor::relaid, dist/dist_matrix.hpp), at every rank
// count, against the whole matrix.
#include <gtest/gtest.h>

#include "dnmf/dist/dist_matrix.hpp"
#include "dnmf/dist/grid.hpp"
#include "test_helpers.hpp"

namespace dnmf {
namespace {

TEST(DistFactor, RelaidMovesRowsBetweenLayoutsOnEveryGrid) {
  const mpi::Comm comm = test::world_comm();
  const std::int64_t m = 23, k = 3;
  const Matrix<double> global = test::global_random(m, k, 5);
  for (const GridShape shape : test::all_grids(comm.size())) {
    SCOPED_TRACE("grid " + shape.str());
    const ProcessGrid grid(comm, shape);
    for (const FactorSide side : {FactorSide::samples, FactorSide::features}) {
      const int parts = side == FactorSide::samples ? shape.pr : shape.pc;
      std::vector<std::int64_t> bounds(static_cast<std::size_t>(parts) + 1, m);
      bounds[0] = 0;
      for (int b = 1; b < parts; ++b) bounds[static_cast<std::size_t>(b)] = b == 1 ? 0 : 2 * b + 1;
      DistFactor<double> f(grid, side, m, k);
      test::scatter_rows(global, f);
      const DistFactor<double> skewed = f.relaid(Axis(bounds));
      EXPECT_EQ(skewed.layout().axis.bounds(), bounds);
      EXPECT_EQ(test::max_rel_diff_rows(skewed, global), 0.0);
      const DistFactor<double> back = skewed.relaid(Axis::uniform(m, parts));
      EXPECT_EQ(test::max_rel_diff_rows(back, global), 0.0);
      EXPECT_EQ(back.owned(), f.owned());
    }
  }
}

TEST(DistFactor, RelaidMovesRowsIntoAndOutOfPermutedLayouts) {
  const mpi::Comm comm = test::world_comm();
  const std::int64_t m = 29, k = 2;
  const Matrix<double> global = test::global_random(m, k, 6);
  for (const GridShape shape : test::all_grids(comm.size())) {
    SCOPED_TRACE("grid " + shape.str());
    const ProcessGrid grid(comm, shape);
    DistFactor<double> f(grid, FactorSide::features, m, k);
    test::scatter_rows(global, f);
    std::vector<std::int64_t> uneven(static_cast<std::size_t>(shape.pc) + 1, m);
    for (int b = 0; b < shape.pc; ++b) uneven[static_cast<std::size_t>(b)] = b * b;
    const Axis a = Axis::uniform(m, shape.pc).permuted(Permutation(m, 1));
    const Axis b = Axis(uneven).permuted(Permutation(m, 2));
    const DistFactor<double> fa = f.relaid(a), fb = fa.relaid(b), fc = fb.relaid(Axis(uneven));
    const DistFactor<double> back = fc.relaid(f.layout().axis);
    EXPECT_TRUE(fa.permuted());
    EXPECT_EQ(test::max_rel_diff_rows(fa, global), 0.0);
    EXPECT_EQ(test::max_rel_diff_rows(fb, global), 0.0);
    EXPECT_EQ(test::max_rel_diff_rows(fc, global), 0.0);
    EXPECT_EQ(test::max_rel_diff_rows(back, global), 0.0);
    EXPECT_FALSE(back.permuted());
  }
}

}  // namespace
}  // namespace dnmf
