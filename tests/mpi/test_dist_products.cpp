// Distributed products against serial products of the full matrices, for every grid shape of
// the current rank count, on shapes that do not divide evenly.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

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

// The one-pass schedule (PC = 1 grids, dense and CSR X): W's rows updated panel by panel from
// X_P Ht, then X^T W and W^T W from the updated rows, against the separate products around
// the same update. A row of X every seventh entry zero, so the CSR blocks have gaps.
TEST_P(DistProductsTest, OnePassMatchesTheSeparateProducts) {
  const auto [m, n, k] = GetParam();
  const mpi::Comm comm = test::world_comm();
  Matrix<double> x = test::global_random(m, n, 21);
  for (std::int64_t e = 0; e < x.size(); e += 7) x.data()[e] = 0.0;
  const Matrix<double> w = test::global_random(m, k, 22);
  const Matrix<double> ht = test::global_random(n, k, 23);
  // The update: W's panel rows become 0.5 * (X Ht)'s rows plus their row index.
  auto step = [](Range panel, const Matrix<double>& r, Matrix<double>& wl) {
    for (std::int64_t i = 0; i < panel.size; ++i)
      for (std::int64_t c = 0; c < r.cols(); ++c)
        wl(panel.begin + i, c) = 0.5 * r(i, c) + static_cast<double>(panel.begin + i);
  };
  for (const GridShape shape : test::all_grids(comm.size())) {
    if (shape.pc != 1) continue;
    for (const Storage storage : {Storage::dense, Storage::sparse}) {
      SCOPED_TRACE("grid " + shape.str() + (storage == Storage::sparse ? " CSR" : " dense"));
      const ProcessGrid grid(comm, shape);
      DistMatrix<double> dx(grid, m, n, storage);
      if (storage == Storage::dense) {
        test::scatter_block(x, dx);
      } else {
        const Range r = dx.row_range(), c = dx.col_range();
        Csr<double>& csr = dx.csr();
        csr.rows = r.size;
        csr.cols = c.size;
        for (std::int64_t i = 0; i < r.size; ++i) {
          for (std::int64_t j = 0; j < c.size; ++j) {
            const double v = x(dx.row_axis().item(r.begin + i), dx.col_axis().item(c.begin + j));
            if (v == 0.0) continue;
            csr.indices.push_back(j);
            csr.values.push_back(v);
          }
          csr.indptr.push_back(static_cast<std::int64_t>(csr.indices.size()));
        }
      }
      DistFactor<double> dht(grid, FactorSide::features, n, k);
      test::scatter_rows(ht, dht);
      DistProducts<double> products(dx);
      ASSERT_TRUE(products.one_pass_possible());

      DistFactor<double> w1(grid, FactorSide::samples, m, k), w2(grid, FactorSide::samples, m, k);
      test::scatter_rows(w, w1);
      test::scatter_rows(w, w2);
      Matrix<double> xtw1, wtw1, xht, xtw2, wtw2;
      products.one_pass(
          dht, w1, [&](Range panel, Matrix<double>& r) { step(panel, r, w1.local()); }, xtw1, wtw1);
      products.x_times_ht(dht, w2.layout(), xht);
      step(Range{0, xht.rows()}, xht, w2.local());
      products.xt_times_w(w2, dht.layout(), xtw2);
      products.gram(w2, wtw2);

      EXPECT_EQ(w1.local().size(), w2.local().size());
      for (std::int64_t i = 0; i < w1.local().size(); ++i)  // X_P Ht row by row: the same bits
        ASSERT_EQ(w1.local().data()[i], w2.local().data()[i]) << i;
      ASSERT_EQ(xtw1.size(), xtw2.size());
      double scale = 0, diff = 0;
      for (std::int64_t i = 0; i < xtw2.size(); ++i) {
        scale = std::max(scale, std::abs(xtw2.data()[i]));
        diff = std::max(diff, std::abs(xtw1.data()[i] - xtw2.data()[i]));
      }
      EXPECT_LE(diff, 1e-13 * scale);
      for (std::int64_t i = 0; i < k * k; ++i)
        EXPECT_NEAR(wtw1.data()[i], wtw2.data()[i], 1e-13 * std::abs(wtw2.data()[i]) + 1e-300);
    }
  }
}

// Shapes chosen so blocks are uneven for 3 and 4 ranks, plus one with fewer rows than ranks
// along a grid dimension (some ranks hold empty blocks).
INSTANTIATE_TEST_SUITE_P(Shapes, DistProductsTest,
                         testing::Values(Shape{37, 23, 4}, Shape{10, 41, 3}, Shape{3, 2, 2},
                                         Shape{101, 7, 5}));

}  // namespace
}  // namespace dnmf
