#include <gtest/gtest.h>

#include "dnmf/core/error.hpp"
#include "dnmf/core/grid_shape.hpp"
#include "dnmf/core/partition.hpp"

namespace dnmf {
namespace {

TEST(BlockRange, SplitsEvenlyWithExtrasFirst) {
  // 7 items over 3 parts: 3, 2, 2.
  EXPECT_EQ(block_range(7, 3, 0), (Range{0, 3}));
  EXPECT_EQ(block_range(7, 3, 1), (Range{3, 2}));
  EXPECT_EQ(block_range(7, 3, 2), (Range{5, 2}));
}

TEST(BlockRange, CoversEveryItemExactlyOnce) {
  for (std::int64_t n : {0, 1, 2, 5, 17, 100}) {
    for (int parts = 1; parts <= 7; ++parts) {
      std::int64_t next = 0;
      for (int i = 0; i < parts; ++i) {
        const Range r = block_range(n, parts, i);
        EXPECT_EQ(r.begin, next) << "n=" << n << " parts=" << parts << " i=" << i;
        EXPECT_LE(r.size, n / parts + 1);
        EXPECT_GE(r.size, n / parts);
        next = r.end();
      }
      EXPECT_EQ(next, n);
      const auto sizes = block_sizes(n, parts);
      ASSERT_EQ(static_cast<int>(sizes.size()), parts);
      for (int i = 0; i < parts; ++i) EXPECT_EQ(sizes[i], block_range(n, parts, i).size);
    }
  }
}

TEST(BlockRange, RejectsBadArguments) {
  EXPECT_THROW(block_range(5, 0, 0), InternalError);
  EXPECT_THROW(block_range(5, 2, 2), InternalError);
}

TEST(GridShape, TallMatrixGetsAColumnOfRanks) {
  // 70000 x 784: moving W blocks (70000 / pr rows) is far costlier than H blocks.
  const GridShape g = choose_grid(70000, 784, 20, 4);
  EXPECT_EQ(g.pr, 4);
  EXPECT_EQ(g.pc, 1);
}

TEST(GridShape, WideMatrixGetsARowOfRanks) {
  const GridShape g = choose_grid(500, 100000, 20, 4);
  EXPECT_EQ(g.pr, 1);
  EXPECT_EQ(g.pc, 4);
}

TEST(GridShape, SquareMatrixAtManyRanksGetsASquareGrid) {
  const GridShape g = choose_grid(100000, 100000, 50, 4096);
  EXPECT_EQ(g.pr, 64);
  EXPECT_EQ(g.pc, 64);
  EXPECT_LT(words_per_iteration(100000, 100000, 50, g),
            words_per_iteration(100000, 100000, 50, GridShape{4096, 1}));
}

TEST(GridShape, WordsCountMatchesHandComputation) {
  // m=8, n=4, k=2, 2x2 grid: 2k[(m/pr)(pc-1)/pc + (n/pc)(pr-1)/pr] + 4k^2(p-1)/p
  //   = 4 [4 * 0.5 + 2 * 0.5] + 16 * 0.75 = 12 + 12 = 24.
  EXPECT_DOUBLE_EQ(words_per_iteration(8, 4, 2, GridShape{2, 2}), 24.0);
  EXPECT_DOUBLE_EQ(words_per_iteration(8, 4, 2, GridShape{1, 1}), 0.0);
}

TEST(GridShape, ParsesAndRejects) {
  const GridShape g = parse_grid("2x3", "--grid");
  EXPECT_EQ(g.pr, 2);
  EXPECT_EQ(g.pc, 3);
  EXPECT_THROW(parse_grid("2x", "--grid"), UsageError);
  EXPECT_THROW(parse_grid("0x4", "--grid"), UsageError);
  EXPECT_THROW(parse_grid("2x2x", "--grid"), UsageError);
  EXPECT_THROW(parse_grid("abc", "--grid"), UsageError);
}

}  // namespace
}  // namespace dnmf
