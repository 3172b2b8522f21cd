// The distributed multiplicative-update solver against a plain serial implementation of
// scikit-learn's formulas (spec §5), for every grid of the current rank count.
#include <gtest/gtest.h>

#include <cmath>

#include "dnmf/nmf/solver.hpp"
#include "test_helpers.hpp"

namespace dnmf {
namespace {

/// Serial MU for beta = 2 with penalties and the every-10-iterations stopping rule.
struct SerialMu {
  Matrix<double> x, w, h;  // h is k x n, as sklearn stores it
  std::int64_t n_iter = 0;
  double err = 0;

  double error() const {
    double s = 0;
    for (std::int64_t i = 0; i < x.rows(); ++i)
      for (std::int64_t j = 0; j < x.cols(); ++j) {
        double y = 0;
        for (std::int64_t c = 0; c < w.cols(); ++c) y += w(i, c) * h(c, j);
        s += (x(i, j) - y) * (x(i, j) - y);
      }
    return std::sqrt(s);
  }

  void run(const NmfParams& p, const Penalties& pen) {
    const std::int64_t m = x.rows(), n = x.cols(), k = w.cols();
    const double eps = kEps, err0 = error();
    double prev = err0;
    auto step = [&](double& f, double num, double den, double l1, double l2) {
      if (l1 > 0) den += l1;
      if (l2 > 0) den = den + l2 * f;
      if (den == 0) den = eps;
      f *= num / den;
    };
    for (n_iter = 1; n_iter <= p.max_iter; ++n_iter) {
      Matrix<double> nw(m, k), dw(m, k), hht(k, k);
      for (std::int64_t a = 0; a < k; ++a)
        for (std::int64_t b = 0; b < k; ++b)
          for (std::int64_t j = 0; j < n; ++j) hht(a, b) += h(a, j) * h(b, j);
      for (std::int64_t i = 0; i < m; ++i)
        for (std::int64_t c = 0; c < k; ++c) {
          for (std::int64_t j = 0; j < n; ++j) nw(i, c) += x(i, j) * h(c, j);
          for (std::int64_t b = 0; b < k; ++b) dw(i, c) += w(i, b) * hht(b, c);
        }
      for (std::int64_t i = 0; i < m * k; ++i)
        step(w.data()[i], nw.data()[i], dw.data()[i], pen.l1_W, pen.l2_W);
      Matrix<double> nh(k, n), dh(k, n), wtw(k, k);
      for (std::int64_t a = 0; a < k; ++a)
        for (std::int64_t b = 0; b < k; ++b)
          for (std::int64_t i = 0; i < m; ++i) wtw(a, b) += w(i, a) * w(i, b);
      for (std::int64_t c = 0; c < k; ++c)
        for (std::int64_t j = 0; j < n; ++j) {
          for (std::int64_t i = 0; i < m; ++i) nh(c, j) += w(i, c) * x(i, j);
          for (std::int64_t b = 0; b < k; ++b) dh(c, j) += wtw(c, b) * h(b, j);
        }
      for (std::int64_t i = 0; i < k * n; ++i)
        step(h.data()[i], nh.data()[i], dh.data()[i], pen.l1_H, pen.l2_H);
      if (p.tol > 0 && n_iter % 10 == 0) {
        const double e = error();
        if ((prev - e) / err0 < p.tol) break;
        prev = e;
      }
    }
    n_iter = std::min(n_iter, p.max_iter);
    err = error();
  }
};

struct Case {
  const char* name;
  double tol;
  std::int64_t max_iter;
  double alpha_w, l1_ratio;
  bool stops_early;  ///< the tolerance must end the run before max_iter
};

class MuSolverTest : public testing::TestWithParam<Case> {};

TEST_P(MuSolverTest, DistributedEqualsSerialOnEveryGrid) {
  const Case c = GetParam();
  const std::int64_t m = 29, n = 17, k = 3;
  const mpi::Comm comm = test::world_comm();
  NmfParams p;
  p.solver = Solver::mu;
  p.tol = c.tol;
  p.max_iter = c.max_iter;
  p.alpha_W = c.alpha_w;
  p.l1_ratio = c.l1_ratio;
  const Penalties pen = scaled_penalties(p, m, n);

  SerialMu serial;
  serial.x = test::global_random(m, n, 21);
  serial.w = test::global_random(m, k, 22, 0.1, 1.0);
  const Matrix<double> ht0 = test::global_random(n, k, 23, 0.1, 1.0);
  serial.h = Matrix<double>(k, n);
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t a = 0; a < k; ++a) serial.h(a, j) = ht0(j, a);
  const Matrix<double> w0 = serial.w;
  serial.run(p, pen);
  if (c.stops_early) {
    EXPECT_LT(serial.n_iter, c.max_iter);
  }
  Matrix<double> ht_final(n, k);
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t a = 0; a < k; ++a) ht_final(j, a) = serial.h(a, j);

  for (const GridShape shape : test::all_grids(comm.size())) {
    SCOPED_TRACE(std::string(c.name) + " grid " + shape.str());
    const ProcessGrid grid(comm, shape);
    DistMatrix<double> x(grid, m, n);
    test::scatter_block(serial.x, x);
    DistFactor<double> w(grid, FactorSide::samples, m, k), ht(grid, FactorSide::features, n, k);
    test::scatter_rows(w0, w);
    test::scatter_rows(ht0, ht);
    DistProducts<double> products(x);
    std::int64_t observed = 0;
    SolverControl<double> control;
    control.observer = [&](const IterationInfo& info) { observed = info.iteration; };
    const FitResult r = fit_mu(products, w, ht, p, pen, true, control);
    EXPECT_EQ(r.n_iter, serial.n_iter);
    EXPECT_EQ(observed, serial.n_iter);
    EXPECT_NEAR(r.reconstruction_err, serial.err, 1e-12 * serial.err);
    EXPECT_LT(test::max_rel_diff_rows(w, serial.w), 1e-12);
    EXPECT_LT(test::max_rel_diff_rows(ht, ht_final), 1e-12);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, MuSolverTest,
                         testing::Values(Case{"tol0", 0.0, 30, 0.0, 0.0, false},
                                         Case{"early_stop", 1e-2, 500, 0.0, 0.0, true},
                                         Case{"l1_l2", 0.0, 25, 0.05, 0.5, false},
                                         Case{"l2_only", 1e-3, 200, 0.1, 0.0, true}),
                         [](const testing::TestParamInfo<Case>& i) {
                           return std::string(i.param.name);
                         });

TEST(MuStopRule, StopsOnSmallRelativeDecreaseOnlyEveryTenth) {
  MuStopRule rule(0.1, 10.0);
  EXPECT_FALSE(rule.due(9));
  EXPECT_TRUE(rule.due(10));
  EXPECT_FALSE(rule.update(8.0));  // (10 - 8) / 10 = 0.2 >= 0.1
  EXPECT_TRUE(rule.update(7.5));   // (8 - 7.5) / 10 = 0.05 < 0.1
  MuStopRule never(0.0, 10.0);
  EXPECT_FALSE(never.due(10));
}

}  // namespace
}  // namespace dnmf
