#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "dnmf/core/permutation.hpp"

namespace dnmf {
namespace {

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
