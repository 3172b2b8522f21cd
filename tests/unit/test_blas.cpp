// BLAS wrappers (la/blas.hpp) against naive loops on small hand-sized inputs.
#include <gtest/gtest.h>

#include <vector>

#include "dnmf/la/blas.hpp"
#include "random_vector.hpp"

namespace dnmf::la {
namespace {

// C = op(A) op(B), naive, row-major.
std::vector<double> naive_gemm(bool ta, bool tb, int m, int n, int k, const std::vector<double>& a,
                               const std::vector<double>& b) {
  std::vector<double> c(static_cast<std::size_t>(m * n), 0.0);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      double s = 0;
      for (int l = 0; l < k; ++l) {
        const double av = ta ? a[l * m + i] : a[i * k + l];
        const double bv = tb ? b[j * k + l] : b[l * n + j];
        s += av * bv;
      }
      c[i * n + j] = s;
    }
  return c;
}

TEST(Gemm, AllTransposeCombinationsMatchNaive) {
  const int m = 7, n = 5, k = 3;
  const auto a = random_vector(m * k, 1), b = random_vector(k * n, 2);
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      std::vector<double> c(m * n, -1.0);
      gemm(ta ? Op::trans : Op::none, tb ? Op::trans : Op::none, m, n, k, 1.0, a.data(), ta ? m : k,
           b.data(), tb ? k : n, 0.0, c.data(), n);
      const auto ref = naive_gemm(ta, tb, m, n, k, a, b);
      for (int i = 0; i < m * n; ++i) EXPECT_NEAR(c[i], ref[i], 1e-14) << ta << tb << i;
    }
}

TEST(Gemm, EmptyInnerDimensionScalesC) {
  std::vector<double> c = {1, 2, 3, 4};
  gemm<double>(Op::none, Op::none, 2, 2, 0, 1.0, nullptr, 1, nullptr, 2, 0.0, c.data(), 2);
  for (double v : c) EXPECT_EQ(v, 0.0);
}

TEST(Gram, MatchesNaiveAndIsSymmetric) {
  const int rows = 9, k = 4;
  const auto a = random_vector(rows * k, 3);
  std::vector<double> g(k * k, 0.0);
  gram(rows, k, 1.0, a.data(), k, 0.0, g.data(), k);
  const auto ref = naive_gemm(true, false, k, k, rows, a, a);
  for (int i = 0; i < k * k; ++i) EXPECT_NEAR(g[i], ref[i], 1e-14);
  for (int i = 0; i < k; ++i)
    for (int j = 0; j < k; ++j) EXPECT_EQ(g[i * k + j], g[j * k + i]);
}

TEST(Gram, ZeroRowsGivesZero) {
  std::vector<double> g(4, 7.0);
  gram<double>(0, 2, 1.0, nullptr, 2, 0.0, g.data(), 2);
  for (double v : g) EXPECT_EQ(v, 0.0);
}

}  // namespace
}  // namespace dnmf::la
