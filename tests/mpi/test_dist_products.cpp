// Distributed products against serial products of the full matrices, for every grid shape of
// the current rank count, on shapes that do not divide evenly.
#include <gtest/gtest.h>

#include "dnmf/dist/products.hpp"
#include "dnmf/la/blas.hpp"
#include "test_helpers.hpp"

namespace dnmf {
namespace {

struct Shape {
  std::int64_t m, n, k;
};

class DistProductsTest : public testing::TestWithParam<Shape> {};

TEST_P(DistProductsTest, MatchSerialOnEveryGrid) {
  const auto [m, n, k] = GetParam();
  const mpi::Comm comm = test::world_comm();
  const Matrix<double> x = test::global_random(m, n, 11);
  const Matrix<double> w = test::global_random(m, k, 12);
  const Matrix<double> ht = test::global_random(n, k, 13);
  // Serial references: X Ht (m x k), X^T W (n x k), W^T W, Ht^T Ht, ||X - W Ht^T||^2.
  Matrix<double> xht(m, k), xtw(n, k), wtw(k, k), hht(k, k);
  la::gemm(la::Op::none, la::Op::none, m, k, n, 1.0, x.data(), n, ht.data(), k, 0.0, xht.data(), k);
  la::gemm(la::Op::trans, la::Op::none, n, k, m, 1.0, x.data(), n, w.data(), k, 0.0, xtw.data(), k);
  la::gemm(la::Op::trans, la::Op::none, k, k, m, 1.0, w.data(), k, w.data(), k, 0.0, wtw.data(), k);
  la::gemm(la::Op::trans, la::Op::none, k, k, n, 1.0, ht.data(), k, ht.data(), k, 0.0, hht.data(),
           k);
  double res = 0;
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      double y = 0;
      for (std::int64_t c = 0; c < k; ++c) y += w(i, c) * ht(j, c);
      res += (x(i, j) - y) * (x(i, j) - y);
    }

  for (const GridShape shape : test::all_grids(comm.size())) {
    SCOPED_TRACE("grid " + shape.str());
    const ProcessGrid grid(comm, shape);
    DistMatrix<double> dx(grid, m, n);
    test::scatter_block(x, dx);
    DistFactor<double> dw(grid, FactorSide::samples, m, k), dht(grid, FactorSide::features, n, k);
    test::scatter_rows(w, dw);
    test::scatter_rows(ht, dht);
    DistProducts<double> products(dx);

    Matrix<double> out;
    products.x_times_ht(dht, dw.layout(), out);
    DistFactor<double> got_xht(grid, FactorSide::samples, m, k);
    got_xht.local() = out;
    EXPECT_LT(test::max_rel_diff_rows(got_xht, xht), 1e-12);

    products.xt_times_w(dw, dht.layout(), out);
    DistFactor<double> got_xtw(grid, FactorSide::features, n, k);
    got_xtw.local() = out;
    EXPECT_LT(test::max_rel_diff_rows(got_xtw, xtw), 1e-12);

    Matrix<double> g;
    products.gram(dw, g);
    for (std::int64_t i = 0; i < k * k; ++i) EXPECT_NEAR(g.data()[i], wtw.data()[i], 1e-12 * m);
    products.gram(dht, g);
    for (std::int64_t i = 0; i < k * k; ++i) EXPECT_NEAR(g.data()[i], hht.data()[i], 1e-12 * n);

    EXPECT_NEAR(products.squared_residual(dw, dht), res, 1e-12 * res);
  }
}

// Shapes chosen so blocks are uneven for 3 and 4 ranks, plus one with fewer rows than ranks
// along a grid dimension (some ranks hold empty blocks).
INSTANTIATE_TEST_SUITE_P(Shapes, DistProductsTest,
                         testing::Values(Shape{37, 23, 4}, Shape{10, 41, 3}, Shape{3, 2, 2},
                                         Shape{101, 7, 5}));

}  // namespace
}  // namespace dnmf
