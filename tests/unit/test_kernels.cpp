// Local NMF kernels (la/kernels.hpp) against naive loops on small hand-sized inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "dnmf/la/kernels.hpp"
#include "random_vector.hpp"

namespace dnmf::la {
namespace {

TEST(SquaredResidual, MatchesNaiveAcrossPanelBoundaries) {
  // Enough rows that the kernel uses several row panels (panel = 32768 / cols rows).
  const int rows = 1500, cols = 40, k = 3;
  const auto x = random_vector(rows * cols, 4), w = random_vector(rows * k, 5),
             ht = random_vector(cols * k, 6);
  double ref = 0;
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) {
      double y = 0;
      for (int c = 0; c < k; ++c) y += w[i * k + c] * ht[j * k + c];
      ref += (x[i * cols + j] - y) * (x[i * cols + j] - y);
    }
  const double got = squared_residual(rows, cols, k, x.data(), cols, w.data(), ht.data());
  EXPECT_NEAR(got, ref, 1e-12 * ref);
}

TEST(SquaredResidual, HonoursTheRowStride) {
  // A 2 x 2 block inside a 2 x 3 row-major X.
  const std::vector<double> x = {1, 2, 99, 3, 4, 99};
  const std::vector<double> w = {1, 1}, ht = {1, 1};  // W H = all ones
  EXPECT_DOUBLE_EQ(squared_residual(2, 2, 1, x.data(), 3, w.data(), ht.data()),
                   0.0 + 1.0 + 4.0 + 9.0);
}

TEST(MultiplicativeStep, FollowsSklearnOrderOfOperations) {
  std::vector<double> f = {1.0, 2.0, 0.0, 3.0};
  std::vector<double> num = {2.0, 1.0, 5.0, 0.0};
  std::vector<double> den = {1.0, 0.5, 0.0, 2.0};
  const double eps = 1.1920928955078125e-07;
  // l1 = 0.5, l2 = 0.25: den = den + 0.5 + 0.25 f
  multiplicative_step(4, f.data(), num.data(), den.data(), 0.5, 0.25, eps);
  EXPECT_DOUBLE_EQ(f[0], 1.0 * (2.0 / (1.0 + 0.5 + 0.25)));
  EXPECT_DOUBLE_EQ(f[1], 2.0 * (1.0 / (0.5 + 0.5 + 0.5)));
  EXPECT_DOUBLE_EQ(f[2], 0.0);  // zeros stay zero
  EXPECT_DOUBLE_EQ(f[3], 0.0);
}

TEST(MultiplicativeStep, ZeroDenominatorBecomesEps) {
  std::vector<double> f = {2.0}, num = {3.0}, den = {0.0};
  const double eps = 1.1920928955078125e-07;
  multiplicative_step(1, f.data(), num.data(), den.data(), 0.0, 0.0, eps);
  EXPECT_DOUBLE_EQ(f[0], 2.0 * (3.0 / eps));
}

TEST(BlockStats, CountsNegativesAndNonFinite) {
  const std::vector<double> x = {1.0, -2.0, std::numeric_limits<double>::quiet_NaN(), 4.0,
                                 std::numeric_limits<double>::infinity()};
  const BlockStats s = block_stats(5, x.data());
  EXPECT_EQ(s.nonfinite, 2);
  EXPECT_EQ(s.negative, 1);
  EXPECT_DOUBLE_EQ(s.min, -2.0);
  EXPECT_DOUBLE_EQ(s.sum, 3.0);
}

TEST(BlockStats, CompensatedSumKeepsSmallTerms) {
  // 1 + 1e-16 * 1e4 : a naive left-to-right sum loses every small term.
  std::vector<double> x(10001, 1e-16);
  x[0] = 1.0;
  const BlockStats s = block_stats(static_cast<std::int64_t>(x.size()), x.data());
  EXPECT_NEAR(s.sum, 1.0 + 1e-12, 1e-16);
}

}  // namespace
}  // namespace dnmf::la

namespace dnmf::la {
namespace {

TEST(CdSweep, MatchesHandWrittenCoordinateDescent) {
  // rows = 4, k = 3, order (2, 0, 1): a naive loop written from the spec, same order.
  const int rows = 4, k = 3;
  std::vector<double> a = random_vector(rows * k, 7), g = random_vector(k * k, 8),
                      r = random_vector(rows * k, 9);
  for (int i = 0; i < k; ++i)
    for (int j = 0; j < i; ++j) g[i * k + j] = g[j * k + i];  // symmetric, like a Gram
  a[1] = 0.0;  // a zero coordinate exercises the projected gradient
  std::vector<double> ref = a;
  const std::int64_t perm[3] = {2, 0, 1};
  double ref_violation = 0;
  for (int s = 0; s < k; ++s) {
    const int t = static_cast<int>(perm[s]);
    for (int i = 0; i < rows; ++i) {
      double grad = -r[i * k + t];
      for (int c = 0; c < k; ++c) grad += g[t * k + c] * ref[i * k + c];
      ref_violation += std::abs(ref[i * k + t] == 0 ? std::min(grad, 0.0) : grad);
      ref[i * k + t] = std::max(ref[i * k + t] - grad / g[t * k + t], 0.0);
    }
  }
  const double violation = cd_sweep<double>(rows, k, a.data(), g.data(), r.data(), perm);
  EXPECT_DOUBLE_EQ(violation, ref_violation);
  for (int i = 0; i < rows * k; ++i) EXPECT_DOUBLE_EQ(a[i], ref[i]);
}

TEST(CdSweep, ZeroHessianLeavesCoordinate) {
  std::vector<double> a = {0.5}, g = {0.0}, r = {1.0};
  const std::int64_t perm[1] = {0};
  const double v = cd_sweep<double>(1, 1, a.data(), g.data(), r.data(), perm);
  EXPECT_EQ(a[0], 0.5);
  EXPECT_EQ(v, 1.0);  // |grad| = |-r|
}

/// Naive dense reference of the beta MU terms of spec §5.3.
void naive_beta_terms(int rows, int cols, int k, const std::vector<double>& x,
                      const std::vector<double>& w, const std::vector<double>& ht, double beta,
                      MuSide side, std::vector<double>& num, std::vector<double>& den) {
  const double eps = 1.1920928955078125e-07;
  const int out = side == MuSide::w ? rows : cols;
  num.assign(out * k, 0.0);
  den.assign(out * k, 0.0);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) {
      double y = 0;
      for (int c = 0; c < k; ++c) y += w[i * k + c] * ht[j * k + c];
      const double yn = beta < 2 && y < eps ? eps : y;
      const double yd = beta < 1 && y < eps ? eps : y;
      const double av = x[i * cols + j] * std::pow(yn, beta - 2);
      const double bv = std::pow(yd, beta - 1);
      for (int c = 0; c < k; ++c) {
        if (side == MuSide::w) {
          num[i * k + c] += av * ht[j * k + c];
          den[i * k + c] += bv * ht[j * k + c];
        } else {
          num[j * k + c] += av * w[i * k + c];
          den[j * k + c] += bv * w[i * k + c];
        }
      }
    }
}

TEST(BetaMuProducts, MatchNaiveForSeveralBetasAndBothSides) {
  // 700 rows x 90 columns: several row panels.
  const int rows = 700, cols = 90, k = 3;
  std::vector<double> x = random_vector(rows * cols, 10), w = random_vector(rows * k, 11),
                      ht = random_vector(cols * k, 12);
  x[5] = 0.0;
  w[0] = w[1] = w[2] = 0.0;  // a zero row of W: Y = 0 there, exercising the eps clipping
  for (double beta : {0.0, 0.5, 1.0, 1.5, 3.0, -0.5}) {
    for (MuSide side : {MuSide::w, MuSide::h}) {
      std::vector<double> ref_num, ref_den;
      naive_beta_terms(rows, cols, k, x, w, ht, beta, side, ref_num, ref_den);
      std::vector<double> num(ref_num.size()), den(ref_den.size(), -7.0);
      beta_mu_products(rows, cols, k, x.data(), cols, w.data(), ht.data(), beta, side, num.data(),
                       den.data());
      for (std::size_t i = 0; i < num.size(); ++i) {
        EXPECT_NEAR(num[i], ref_num[i], 1e-10 * std::abs(ref_num[i]) + 1e-300) << beta << " " << i;
        if (beta != 1.0) {
          EXPECT_NEAR(den[i], ref_den[i], 1e-10 * std::abs(ref_den[i])) << beta;
        }
      }
      if (beta == 1.0) {
        EXPECT_EQ(den[0], -7.0);  // left for the caller (column sums)
      }
    }
  }
}

TEST(DivergenceSums, MatchNaiveSums) {
  const int rows = 50, cols = 20, k = 2;
  std::vector<double> x = random_vector(rows * cols, 13), w = random_vector(rows * k, 14),
                      ht = random_vector(cols * k, 15);
  x[3] = 0.0;
  x[4] = 1e-9;  // below eps: counts as zero
  const double eps = 1.1920928955078125e-07;
  for (double beta : {0.0, 1.0, 0.5, 3.0}) {
    DivergenceSums ref;
    for (int i = 0; i < rows; ++i)
      for (int j = 0; j < cols; ++j) {
        double y = 0;
        for (int c = 0; c < k; ++c) y += w[i * k + c] * ht[j * k + c];
        ref.s3 += std::pow(y, beta);
        const double xv = x[i * cols + j];
        if (xv <= eps) continue;
        const double yc = std::max(y, eps);
        if (beta == 1.0) {
          ref.s1 += xv * std::log(xv / yc);
          ref.s2 += xv;
        } else if (beta == 0.0) {
          ref.s1 += xv / yc;
          ref.s2 += std::log(xv / yc);
        } else {
          ref.s1 += std::pow(xv, beta);
          ref.s2 += xv * std::pow(yc, beta - 1);
        }
      }
    const DivergenceSums got =
        divergence_sums(rows, cols, k, x.data(), cols, w.data(), ht.data(), beta);
    EXPECT_NEAR(got.s1, ref.s1, 1e-12 * std::abs(ref.s1)) << beta;
    EXPECT_NEAR(got.s2, ref.s2, 1e-12 * std::abs(ref.s2)) << beta;
    if (beta != 0.0 && beta != 1.0) {
      EXPECT_NEAR(got.s3, ref.s3, 1e-12 * ref.s3) << beta;
    }
  }
}

}  // namespace
}  // namespace dnmf::la
