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

TEST(Axis, BlocksAndOwnersIncludingEmptyBlocks) {
  const Axis a({0, 2, 2, 7});
  EXPECT_EQ(a.parts(), 3);
  EXPECT_EQ(a.size(), 7);
  EXPECT_EQ(a.block(1), (Range{2, 0}));
  EXPECT_EQ(a.block_of(0), 0);
  EXPECT_EQ(a.block_of(1), 0);
  EXPECT_EQ(a.block_of(2), 2);  // the empty block owns nothing
  EXPECT_EQ(a.block_of(6), 2);
  EXPECT_EQ(Axis::uniform(7, 3).bounds(), (std::vector<std::int64_t>{0, 3, 5, 7}));
  EXPECT_THROW(Axis({1, 3}), InternalError);
  EXPECT_THROW(Axis({0, 3, 2}), InternalError);
  EXPECT_THROW(Axis(std::vector<std::int64_t>{0}), InternalError);
}

TEST(Permutation, IsABijectionWithItsInverse) {
  for (std::int64_t n : {0, 1, 2, 3, 4, 5, 16, 17, 100, 1000, 4097, 12345}) {
    for (std::uint64_t seed : {1ULL, 2ULL, 0x9e3779b97f4a7c15ULL}) {
      const Permutation p(n, seed);
      std::vector<char> hit(static_cast<std::size_t>(n), 0);
      std::int64_t moved = 0;
      for (std::int64_t i = 0; i < n; ++i) {
        const std::int64_t q = p.position(i);
        ASSERT_GE(q, 0);
        ASSERT_LT(q, n);
        EXPECT_FALSE(hit[static_cast<std::size_t>(q)]) << "n " << n << " position " << q;
        hit[static_cast<std::size_t>(q)] = 1;
        EXPECT_EQ(p.item(q), i);
        moved += q != i;
      }
      if (n >= 100) {
        EXPECT_GT(moved, n / 2) << "n " << n << ": hardly shuffled";
      }
    }
  }
  EXPECT_NE(Permutation(100, 1), Permutation(100, 2));
  EXPECT_EQ(Permutation(100, 1), Permutation(100, 1));
  EXPECT_TRUE(Permutation().is_identity());
  EXPECT_EQ(Permutation().position(41), 41);
}

}  // namespace
}  // namespace dnmf
