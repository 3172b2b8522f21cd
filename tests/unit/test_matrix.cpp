// Owned and borrowed storage of the dense matrix (core/matrix.hpp).
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "dnmf/core/matrix.hpp"

namespace dnmf {
namespace {

TEST(Matrix, BorrowedMemoryIsUsedInPlace) {
  std::vector<double> mem = {1, 2, 3, 4, 5, 6};
  Matrix<double> m = Matrix<double>::borrow(mem.data(), 2, 3);
  EXPECT_TRUE(m.borrowed());
  EXPECT_EQ(m.data(), mem.data());
  EXPECT_EQ(m(1, 2), 6);
  EXPECT_EQ(m.row(1), mem.data() + 3);
  m(0, 1) = 20;  // writes go to the borrowed memory
  EXPECT_EQ(mem[1], 20);
}

TEST(Matrix, CopiesOwnTheirStorageMovesKeepTheBorrow) {
  std::vector<float> mem = {1, 2, 3, 4};
  Matrix<float> m = Matrix<float>::borrow(mem.data(), 2, 2);
  Matrix<float> copy = m;
  EXPECT_FALSE(copy.borrowed());
  EXPECT_NE(copy.data(), mem.data());
  EXPECT_EQ(copy(1, 1), 4);
  copy(1, 1) = 9;
  EXPECT_EQ(mem[3], 4);
  Matrix<float> assigned;
  assigned = m;
  EXPECT_FALSE(assigned.borrowed());
  EXPECT_EQ(assigned(1, 0), 3);
  Matrix<float> moved = std::move(m);
  EXPECT_TRUE(moved.borrowed());
  EXPECT_EQ(moved.data(), mem.data());
  EXPECT_EQ(m.size(), 0);  // NOLINT(bugprone-use-after-move): a moved-from matrix is empty
  Matrix<float> owned(2, 2, 1.5f);
  const float* storage = owned.data();
  Matrix<float> taken = std::move(owned);
  EXPECT_EQ(taken.data(), storage);  // an owned buffer moves without a copy
  EXPECT_FALSE(taken.borrowed());
}

TEST(Matrix, ResizeToAnotherSizeTakesOwnership) {
  std::vector<double> mem = {1, 2, 3, 4, 5, 6};
  Matrix<double> m = Matrix<double>::borrow(mem.data(), 2, 3);
  m.resize(3, 2);  // same size: still the borrowed memory, another shape
  EXPECT_TRUE(m.borrowed());
  EXPECT_EQ(m(2, 1), 6);
  m.resize(1, 4);  // a smaller size: the first entries, now owned
  EXPECT_FALSE(m.borrowed());
  EXPECT_EQ(m(0, 3), 4);
  m.fill(0);
  EXPECT_EQ(mem[0], 1);
}

TEST(Matrix, FillWritesEveryEntry) {
  Matrix<double> m(3, 2, 7.0);
  m.fill(2.0);
  for (std::int64_t i = 0; i < 3; ++i)
    for (std::int64_t j = 0; j < 2; ++j) EXPECT_EQ(m(i, j), 2.0);
  Matrix<double> empty;
  empty.fill(1.0);
  EXPECT_EQ(empty.size(), 0);
}

}  // namespace
}  // namespace dnmf
