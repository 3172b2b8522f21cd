// Block principal pivoting NNLS (la/nnls.hpp) against a brute-force solver on small problems:
// for a positive definite G the KKT point is unique, so trying every free set and keeping the
// one whose solution is feasible finds it exactly.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "dnmf/la/nnls.hpp"

namespace dnmf {
namespace {

/// Solves G_SS x_S = r_S by Gaussian elimination with partial pivoting (an independent method).
std::vector<double> solve_subset(int k, const std::vector<double>& g, const std::vector<double>& r,
                                 const std::vector<int>& s) {
  const std::size_t n = s.size();
  std::vector<double> a(n * (n + 1));
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) a[i * (n + 1) + j] = g[s[i] * k + s[j]];
    a[i * (n + 1) + n] = r[s[i]];
  }
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t p = c;
    for (std::size_t i = c + 1; i < n; ++i)
      if (std::abs(a[i * (n + 1) + c]) > std::abs(a[p * (n + 1) + c])) p = i;
    for (std::size_t j = 0; j <= n; ++j) std::swap(a[c * (n + 1) + j], a[p * (n + 1) + j]);
    for (std::size_t i = c + 1; i < n; ++i) {
      const double f = a[i * (n + 1) + c] / a[c * (n + 1) + c];
      for (std::size_t j = c; j <= n; ++j) a[i * (n + 1) + j] -= f * a[c * (n + 1) + j];
    }
  }
  std::vector<double> x(n);
  for (std::size_t i = n; i-- > 0;) {
    double v = a[i * (n + 1) + n];
    for (std::size_t j = i + 1; j < n; ++j) v -= a[i * (n + 1) + j] * x[j];
    x[i] = v / a[i * (n + 1) + i];
  }
  return x;
}

/// The minimiser of 0.5 a^T G a - r^T a over a >= 0, by trying all 2^k free sets.
std::vector<double> brute_force(int k, const std::vector<double>& g, const std::vector<double>& r) {
  double best = INFINITY;
  std::vector<double> best_a(static_cast<std::size_t>(k), 0.0);
  for (int mask = 0; mask < (1 << k); ++mask) {
    std::vector<int> s;
    for (int i = 0; i < k; ++i)
      if (mask & (1 << i)) s.push_back(i);
    std::vector<double> a(static_cast<std::size_t>(k), 0.0);
    const std::vector<double> xs = solve_subset(k, g, r, s);
    bool feasible = true;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (xs[i] < 0) feasible = false;
      a[s[i]] = xs[i];
    }
    if (!feasible) continue;
    double f = 0;
    for (int i = 0; i < k; ++i) {
      f -= r[i] * a[i];
      for (int j = 0; j < k; ++j) f += 0.5 * a[i] * g[i * k + j] * a[j];
    }
    if (f < best) {
      best = f;
      best_a = a;
    }
  }
  return best_a;
}

TEST(NnlsBpp, MatchesBruteForceOnRandomProblems) {
  std::mt19937_64 gen(11);
  std::normal_distribution<double> z;
  int cases = 0, with_zeros = 0;
  for (int k = 1; k <= 8; ++k) {
    for (int trial = 0; trial < 40; ++trial) {
      // G = B^T B + l2 I from a random B (rows x k), sometimes ill-conditioned columns.
      const int m = k + 3;
      std::vector<double> b(static_cast<std::size_t>(m * k));
      for (auto& v : b) v = std::abs(z(gen));
      if (trial % 5 == 0 && k > 1)
        for (int i = 0; i < m; ++i) b[i * k + 1] = b[i * k] * 0.999 + 1e-3 * z(gen);
      const double l2 = trial % 3 == 0 ? 0.1 : 0.0;
      std::vector<double> g(static_cast<std::size_t>(k * k), 0.0), r(static_cast<std::size_t>(k));
      for (int i = 0; i < k; ++i)
        for (int j = 0; j < k; ++j)
          for (int p = 0; p < m; ++p) g[i * k + j] += b[p * k + i] * b[p * k + j];
      for (int i = 0; i < k; ++i) g[i * k + i] += l2;
      for (auto& v : r) v = 3 * z(gen);  // mixed signs: some coefficients end at zero
      std::vector<double> got(static_cast<std::size_t>(k));
      la::nnls_bpp<double>(1, k, g.data(), r.data(), got.data());
      const std::vector<double> want = brute_force(k, g, r);
      double scale = 1e-300;
      for (double v : want) scale = std::max(scale, std::abs(v));
      // The same problem from a random starting support (ANLS starts from the last iterate).
      std::vector<double> warm(static_cast<std::size_t>(k));
      for (auto& v : warm) v = gen() % 2 ? 1.0 : 0.0;
      la::nnls_bpp<double>(1, k, g.data(), r.data(), warm.data());
      for (int i = 0; i < k; ++i) {
        EXPECT_NEAR(got[i], want[i], 1e-9 * scale) << "k " << k << " trial " << trial;
        EXPECT_NEAR(warm[i], want[i], 1e-9 * scale) << "warm start, k " << k << " trial " << trial;
        EXPECT_GE(got[i], 0.0);
        with_zeros += want[i] == 0.0;
      }
      ++cases;
    }
  }
  EXPECT_EQ(cases, 320);
  EXPECT_GT(with_zeros, 100);  // the bound constraints were active in many problems
}

TEST(NnlsBpp, SolvesManyRowsAndFloat) {
  // Two rows with the same G: an interior solution and one at zero.
  const std::vector<double> g = {2, 1, 1, 2};
  const std::vector<double> r = {3, 3, -1, -2};
  std::vector<double> a(4);
  la::nnls_bpp<double>(2, 2, g.data(), r.data(), a.data());
  EXPECT_NEAR(a[0], 1.0, 1e-15);
  EXPECT_NEAR(a[1], 1.0, 1e-15);
  EXPECT_EQ(a[2], 0.0);
  EXPECT_EQ(a[3], 0.0);
  const std::vector<float> gf = {2, 1, 1, 2}, rf = {4, -1};
  std::vector<float> af(2);
  la::nnls_bpp<float>(1, 2, gf.data(), rf.data(), af.data());
  EXPECT_FLOAT_EQ(af[0], 2.0f);  // a_1 = 0 binds; 2 a_0 = 4
  EXPECT_EQ(af[1], 0.0f);
}

TEST(NnlsBpp, ManyRowsGiveTheBitsOfOneRowAtATime) {
  // Rows that share free sets reuse one factorization within a call: the result must be the
  // bits each row gets alone, and match brute force. 600 rows, k = 6, supports repeating.
  std::mt19937_64 gen(5);
  std::normal_distribution<double> z;
  const int k = 6, rows = 600, m = 9;
  std::vector<double> b(static_cast<std::size_t>(m * k));
  for (auto& v : b) v = std::abs(z(gen));
  std::vector<double> g(static_cast<std::size_t>(k * k), 0.0);
  for (int i = 0; i < k; ++i)
    for (int j = 0; j < k; ++j)
      for (int p = 0; p < m; ++p) g[i * k + j] += b[p * k + i] * b[p * k + j];
  std::vector<double> r(static_cast<std::size_t>(rows * k)), start(r.size());
  for (auto& v : r) v = 3 * z(gen);
  for (auto& v : start) v = gen() % 3 ? 1.0 : 0.0;
  std::vector<double> together = start;
  la::nnls_bpp<double>(rows, k, g.data(), r.data(), together.data());
  int zeros = 0;
  for (int row = 0; row < rows; ++row) {
    std::vector<double> alone(start.begin() + row * k, start.begin() + (row + 1) * k);
    la::nnls_bpp<double>(1, k, g.data(), r.data() + row * k, alone.data());
    const std::vector<double> want =
        brute_force(k, g, std::vector<double>(r.begin() + row * k, r.begin() + (row + 1) * k));
    for (int i = 0; i < k; ++i) {
      EXPECT_EQ(together[row * k + i], alone[i]) << "row " << row << " i " << i;
      EXPECT_NEAR(together[row * k + i], want[i], 1e-9) << "row " << row << " i " << i;
      zeros += want[i] == 0.0;
    }
  }
  EXPECT_GT(zeros, rows);  // many rows end with bound coefficients: supports differ
}

TEST(NnlsBpp, ADeadComponentStaysZero) {
  // G_11 = 0: the other factor has an all-zero component; its coefficient stays 0.
  const std::vector<double> g = {4, 0, 0, 0}, r = {2, 0};
  std::vector<double> a(2);
  la::nnls_bpp<double>(1, 2, g.data(), r.data(), a.data());
  EXPECT_DOUBLE_EQ(a[0], 0.5);
  EXPECT_EQ(a[1], 0.0);
}

}  // namespace
}  // namespace dnmf
