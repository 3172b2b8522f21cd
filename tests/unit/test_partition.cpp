#include <gtest/gtest.h>

#include "dnmf/core/error.hpp"
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

}  // namespace
}  // namespace dnmf
