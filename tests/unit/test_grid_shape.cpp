#include <gtest/gtest.h>

#include "dnmf/core/error.hpp"
#include "dnmf/core/grid_shape.hpp"

namespace dnmf {
namespace {

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

TEST(GridShape, OnePassOverXTipsTheBalanceToWholeRows) {
  // 4000 x 4000 dense, k = 20, 4 ranks: 2x2 moves 81,200 words per iteration and 4x1 121,200,
  // but 2x2 reads its 32 MB of X twice; with one pass for PC = 1, 4x1 costs less.
  const double x_bytes = 4000.0 * 4000.0 * 8.0;
  EXPECT_LT(words_per_iteration(4000, 4000, 20, GridShape{2, 2}),
            words_per_iteration(4000, 4000, 20, GridShape{4, 1}));
  const GridShape by_words = choose_grid(4000, 4000, 20, 4);
  EXPECT_EQ(by_words.pc, 2);
  const GridShape two_passes = choose_grid(4000, 4000, 20, 4, x_bytes, false);
  EXPECT_EQ(two_passes.pc, 2);
  const GridShape one_pass = choose_grid(4000, 4000, 20, 4, x_bytes, true);
  EXPECT_EQ(one_pass.pr, 4);
  EXPECT_EQ(one_pass.pc, 1);
  EXPECT_DOUBLE_EQ(
      iteration_cost(4000, 4000, 20, GridShape{4, 1}, x_bytes, true),
      8.0 * kNetworkPerMemoryByte * words_per_iteration(4000, 4000, 20, {4, 1}) + x_bytes / 4);
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
