// The distributed randomized SVD and NNDSVD initialisations against serial references on the
// full matrices, for every grid shape of the current rank count:
//   - when k + 10 >= min(n, p) the randomized SVD spans the whole range, so it must equal a
//     plain LAPACK SVD (with scikit-learn's sign rule) up to rounding;
//   - when k + 10 < min(n, p) it is compared with a serial re-implementation of the same
//     algorithm that normalises the power iterations by Gram-Schmidt instead of LU (the same
//     spans in exact arithmetic, so the same result up to rounding);
//   - NNDSVD steps B-D against a serial implementation of spec §3.3, including nndsvdar's
//     global fill order, and the zero-norm (NaN) guard.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "dnmf/la/blas.hpp"
#include "dnmf/la/lapack.hpp"
#include "dnmf/nmf/nndsvd.hpp"
#include "dnmf/rng/numpy_random.hpp"
#include "test_helpers.hpp"

namespace dnmf {
namespace {

/// The whole factor on every rank (each rank adds its rows into zeros, then a sum).
template <typename T>
Matrix<double> gather_factor(const DistFactor<T>& f) {
  Matrix<double> out(f.global_rows(), f.k(), 0.0);
  for (std::int64_t i = 0; i < f.local().rows(); ++i)
    for (std::int64_t c = 0; c < f.k(); ++c)
      out(f.owned().begin + i, c) = static_cast<double>(f.local()(i, c));
  f.grid().all().allreduce_sum(out.data(), out.size());
  return out;
}

double max_abs_diff(const Matrix<double>& a, const Matrix<double>& b, std::int64_t cols) {
  double d = 0;
  for (std::int64_t i = 0; i < a.rows(); ++i)
    for (std::int64_t c = 0; c < cols; ++c) d = std::max(d, std::abs(a(i, c) - b(i, c)));
  return d;
}

/// max |F^T F - I| for a tall F with orthonormal columns.
double orthonormality_error(const Matrix<double>& f) {
  const std::int64_t k = f.cols();
  Matrix<double> g(k, k);
  la::gemm(la::Op::trans, la::Op::none, k, k, f.rows(), 1.0, f.data(), k, f.data(), k, 0.0,
           g.data(), k);
  double e = 0;
  for (std::int64_t a = 0; a < k; ++a)
    for (std::int64_t b = 0; b < k; ++b) e = std::max(e, std::abs(g(a, b) - (a == b ? 1.0 : 0.0)));
  return e;
}

/// A serial SVD result: U (n x c), s (c), V (p x c).
struct Svd {
  Matrix<double> u, v;
  std::vector<double> s;
};

/// scikit-learn's sign rule on X's left singular vectors: the largest |u| entry of each column
/// (first on ties) becomes positive; V's column follows.
void flip(Svd& r) {
  for (std::int64_t c = 0; c < r.u.cols(); ++c) {
    std::int64_t best = 0;
    for (std::int64_t i = 1; i < r.u.rows(); ++i)
      if (std::abs(r.u(i, c)) > std::abs(r.u(best, c))) best = i;
    const double sign = r.u(best, c) > 0 ? 1.0 : (r.u(best, c) < 0 ? -1.0 : 0.0);
    for (std::int64_t i = 0; i < r.u.rows(); ++i) r.u(i, c) *= sign;
    for (std::int64_t i = 0; i < r.v.rows(); ++i) r.v(i, c) *= sign;
  }
}

/// Thin SVD of a row-major rows x cols matrix with LAPACK gesdd.
Svd lapack_svd(const Matrix<double>& a) {
  const std::int64_t m = a.rows(), n = a.cols(), mn = std::min(m, n);
  std::vector<double> cm(static_cast<std::size_t>(m * n));
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) cm[i + j * m] = a(i, j);
  std::vector<double> s, u, vt;
  EXPECT_EQ(la::gesdd(m, n, cm.data(), m, s, u, vt), 0);
  Svd r;
  r.u = Matrix<double>(m, mn);
  r.v = Matrix<double>(n, mn);
  r.s.assign(s.begin(), s.begin() + mn);
  for (std::int64_t c = 0; c < mn; ++c) {
    for (std::int64_t i = 0; i < m; ++i) r.u(i, c) = u[i + c * m];
    for (std::int64_t j = 0; j < n; ++j) r.v(j, c) = vt[c + j * mn];
  }
  return r;
}

/// Orthonormal basis of the columns of a (modified Gram-Schmidt, twice): same span as the
/// P L factor of its LU when a has full column rank.
Matrix<double> orthonormal_basis(const Matrix<double>& a) {
  Matrix<double> q = a;
  for (int pass = 0; pass < 2; ++pass)
    for (std::int64_t c = 0; c < q.cols(); ++c) {
      for (std::int64_t b = 0; b < c; ++b) {
        double d = 0;
        for (std::int64_t i = 0; i < q.rows(); ++i) d += q(i, b) * q(i, c);
        for (std::int64_t i = 0; i < q.rows(); ++i) q(i, c) -= d * q(i, b);
      }
      double nrm = 0;
      for (std::int64_t i = 0; i < q.rows(); ++i) nrm += q(i, c) * q(i, c);
      nrm = std::sqrt(nrm);
      for (std::int64_t i = 0; i < q.rows(); ++i) q(i, c) /= nrm;
    }
  return q;
}

Matrix<double> product(la::Op op_a, const Matrix<double>& a, const Matrix<double>& b) {
  const std::int64_t m = op_a == la::Op::none ? a.rows() : a.cols();
  const std::int64_t inner = op_a == la::Op::none ? a.cols() : a.rows();
  Matrix<double> c(m, b.cols());
  la::gemm(op_a, la::Op::none, m, b.cols(), inner, 1.0, a.data(), a.cols(), b.data(), b.cols(), 0.0,
           c.data(), c.cols());
  return c;
}

/// Serial scikit-learn randomized SVD (spec §3.4) with Gram-Schmidt normalisation; requires
/// k + 10 <= min(n, p) so that no LU changes the column count.
Svd serial_randomized_svd(const Matrix<double>& x, std::int64_t k, std::uint32_t seed) {
  const std::int64_t n = x.rows(), p = x.cols(), r = k + 10;
  const bool transposed = n < p;
  Matrix<double> m = x;
  if (transposed) {
    m = Matrix<double>(p, n);
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t j = 0; j < p; ++j) m(j, i) = x(i, j);
  }
  const int n_iter = static_cast<double>(k) < 0.1 * static_cast<double>(std::min(n, p)) ? 7 : 4;
  Matrix<double> q(m.cols(), r);
  rng::NumpyRandomState rs(seed);
  rs.standard_normal(q.data(), static_cast<std::size_t>(q.size()));
  for (int it = 0; it < n_iter; ++it) {
    q = orthonormal_basis(product(la::Op::none, m, q));
    q = orthonormal_basis(product(la::Op::trans, m, q));
  }
  q = orthonormal_basis(product(la::Op::none, m, q));
  const Matrix<double> bt = product(la::Op::trans, m, q);  // B^T, m.cols x r
  Matrix<double> b(r, m.cols());
  for (std::int64_t i = 0; i < bt.rows(); ++i)
    for (std::int64_t j = 0; j < r; ++j) b(j, i) = bt(i, j);
  Svd small = lapack_svd(b);
  Svd out;
  out.u = product(la::Op::none, q, small.u);
  out.v = small.v;
  out.s = small.s;
  if (transposed) std::swap(out.u, out.v);
  flip(out);
  return out;
}

struct SvdShape {
  std::int64_t n, p, k;
  unsigned seed;
};

class RandomizedSvdTest : public testing::TestWithParam<SvdShape> {};

// k + 10 >= min(n, p): the sampled range is the whole range, so the result is the exact SVD.
TEST_P(RandomizedSvdTest, MatchesLapackSvdOnEveryGrid) {
  const auto [n, p, k, seed] = GetParam();
  ASSERT_GE(k + 10, std::min(n, p));
  const mpi::Comm comm = test::world_comm();
  const Matrix<double> x = test::global_random(n, p, seed);
  Svd ref = lapack_svd(x);
  flip(ref);

  Matrix<double> first_u, first_v;
  for (const GridShape shape : test::all_grids(comm.size())) {
    SCOPED_TRACE("grid " + shape.str());
    const ProcessGrid grid(comm, shape);
    DistMatrix<double> dx(grid, n, p);
    test::scatter_block(x, dx);
    DistProducts<double> products(dx);
    const TruncatedSvd<double> svd = randomized_svd(products, k, 42);
    ASSERT_EQ(svd.u.k(), k);
    ASSERT_EQ(svd.v.k(), k);
    ASSERT_EQ(static_cast<std::int64_t>(svd.s.size()), k);
    const Matrix<double> u = gather_factor(svd.u), v = gather_factor(svd.v);
    for (std::int64_t c = 0; c < k; ++c) {
      EXPECT_NEAR(svd.s[c], ref.s[c], 1e-12 * ref.s[0]) << "singular value " << c;
    }
    EXPECT_LT(max_abs_diff(u, ref.u, k), 1e-10);
    EXPECT_LT(max_abs_diff(v, ref.v, k), 1e-10);
    EXPECT_LT(orthonormality_error(u), 1e-12);
    EXPECT_LT(orthonormality_error(v), 1e-12);
    // Sign convention: the largest-magnitude entry of each left singular vector is positive.
    for (std::int64_t c = 0; c < k; ++c) {
      std::int64_t best = 0;
      for (std::int64_t i = 1; i < n; ++i)
        if (std::abs(u(i, c)) > std::abs(u(best, c))) best = i;
      EXPECT_GT(u(best, c), 0.0) << "column " << c;
    }
    if (first_u.empty()) {
      first_u = u;
      first_v = v;
    } else {  // independent of the grid up to the summation order
      EXPECT_LT(max_abs_diff(u, first_u, k), 1e-12);
      EXPECT_LT(max_abs_diff(v, first_v, k), 1e-12);
    }
  }
}

// n >= p and n < p (transposed problem), a square one, one with r > min(n, p) so the LU
// factors lose columns, and tiny ones where most ranks hold no rows.
INSTANTIATE_TEST_SUITE_P(Shapes, RandomizedSvdTest,
                         testing::Values(SvdShape{41, 23, 13, 1}, SvdShape{17, 45, 7, 2},
                                         SvdShape{30, 30, 20, 3}, SvdShape{23, 11, 3, 4},
                                         SvdShape{7, 19, 2, 5}, SvdShape{3, 2, 2, 6},
                                         SvdShape{2, 5, 1, 7}));

class RandomizedSvdSampledTest : public testing::TestWithParam<SvdShape> {};

// k + 10 < min(n, p): a true randomized approximation, which depends on the numpy stream.
TEST_P(RandomizedSvdSampledTest, MatchesSerialAlgorithmOnEveryGrid) {
  const auto [n, p, k, seed] = GetParam();
  ASSERT_LT(k + 10, std::min(n, p));
  const mpi::Comm comm = test::world_comm();
  const Matrix<double> x = test::global_random(n, p, seed);
  const Svd ref = serial_randomized_svd(x, k, seed);
  const Svd exact = lapack_svd(x);

  Matrix<double> first_u;
  for (const GridShape shape : test::all_grids(comm.size())) {
    SCOPED_TRACE("grid " + shape.str());
    const ProcessGrid grid(comm, shape);
    DistMatrix<double> dx(grid, n, p);
    test::scatter_block(x, dx);
    DistProducts<double> products(dx);
    const TruncatedSvd<double> svd = randomized_svd(products, k, seed);
    const Matrix<double> u = gather_factor(svd.u), v = gather_factor(svd.v);
    for (std::int64_t c = 0; c < k; ++c) {
      EXPECT_NEAR(svd.s[c], ref.s[c], 1e-11 * ref.s[0]) << "singular value " << c;
    }
    EXPECT_LT(max_abs_diff(u, ref.u, k), 1e-10);
    EXPECT_LT(max_abs_diff(v, ref.v, k), 1e-10);
    EXPECT_LT(orthonormality_error(u), 1e-12);
    EXPECT_LT(orthonormality_error(v), 1e-12);
    // An approximation, not the exact SVD (else this test would duplicate the exact one).
    EXPECT_GT(std::abs(svd.s[k - 1] - exact.s[k - 1]), 1e-8 * exact.s[0]);
    if (first_u.empty()) {
      first_u = u;
    } else {
      EXPECT_LT(max_abs_diff(u, first_u, k), 1e-12);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, RandomizedSvdSampledTest,
                         testing::Values(SvdShape{150, 60, 4, 11}, SvdShape{45, 120, 3, 12},
                                         SvdShape{97, 31, 8, 13}));

// The library runs on any communicator: two halves of the world each run their own SVD.
TEST(RandomizedSvd, RunsOnSubCommunicators) {
  const mpi::Comm world = test::world_comm();
  const int half = world.rank() < (world.size() + 1) / 2 ? 0 : 1;
  const mpi::Comm sub = world.split(half, world.rank());
  const std::int64_t n = 29 + half, p = 13, k = 4;
  const Matrix<double> x = test::global_random(n, p, 21 + half);
  Svd ref = lapack_svd(x);
  flip(ref);
  const ProcessGrid grid(sub, GridShape{sub.size(), 1});
  DistMatrix<double> dx(grid, n, p);
  test::scatter_block(x, dx);
  DistProducts<double> products(dx);
  const TruncatedSvd<double> svd = randomized_svd(products, k, 3);
  EXPECT_LT(max_abs_diff(gather_factor(svd.u), ref.u, k), 1e-10);
  EXPECT_LT(max_abs_diff(gather_factor(svd.v), ref.v, k), 1e-10);
}

TEST(RandomizedSvd, FloatAgreesWithDouble) {
  const mpi::Comm comm = test::world_comm();
  const std::int64_t n = 37, p = 21, k = 11;  // k + 10 >= p: exact up to rounding
  const Matrix<double> x = test::global_random(n, p, 8);
  Svd ref = lapack_svd(x);
  flip(ref);
  const ProcessGrid grid(comm, test::all_grids(comm.size()).back());
  DistMatrix<float> dx(grid, n, p);
  test::scatter_block(x, dx);
  DistProducts<float> products(dx);
  const TruncatedSvd<float> svd = randomized_svd(products, k, 0);
  for (std::int64_t c = 0; c < k; ++c) EXPECT_NEAR(svd.s[c], ref.s[c], 1e-5 * ref.s[0]);
  EXPECT_LT(max_abs_diff(gather_factor(svd.u), ref.u, k), 1e-4);
  EXPECT_LT(max_abs_diff(gather_factor(svd.v), ref.v, k), 1e-4);
}

TEST(RandomizedSvd, RejectsBadRank) {
  const mpi::Comm comm = test::world_comm();
  const ProcessGrid grid(comm, GridShape{comm.size(), 1});
  DistMatrix<double> dx(grid, 5, 3);
  DistProducts<double> products(dx);
  EXPECT_THROW(randomized_svd(products, 4, 0), UsageError);
  EXPECT_THROW(randomized_svd(products, 0, 0), UsageError);
}

// --- NNDSVD -------------------------------------------------------------------------------

/// Serial spec §3.3 steps B-D from a full SVD (u n x k, s, v p x k); W n x k, H k x p.
void serial_nndsvd(const Svd& svd, std::int64_t k, Init variant, double mean, std::uint32_t seed,
                   Matrix<double>& w, Matrix<double>& h) {
  const std::int64_t n = svd.u.rows(), p = svd.v.rows();
  w = Matrix<double>(n, k);
  h = Matrix<double>(k, p);
  for (std::int64_t i = 0; i < n; ++i) w(i, 0) = std::sqrt(svd.s[0]) * std::abs(svd.u(i, 0));
  for (std::int64_t j = 0; j < p; ++j) h(0, j) = std::sqrt(svd.s[0]) * std::abs(svd.v(j, 0));
  auto norm = [](const std::vector<double>& a) {
    double s = 0;
    for (double e : a) s += e * e;
    return std::sqrt(s);
  };
  for (std::int64_t c = 1; c < k; ++c) {
    std::vector<double> xp(n), xn(n), yp(p), yn(p);
    for (std::int64_t i = 0; i < n; ++i) {
      xp[i] = std::max(svd.u(i, c), 0.0);
      xn[i] = std::abs(std::min(svd.u(i, c), 0.0));
    }
    for (std::int64_t j = 0; j < p; ++j) {
      yp[j] = std::max(svd.v(j, c), 0.0);
      yn[j] = std::abs(std::min(svd.v(j, c), 0.0));
    }
    const double mp = norm(xp) * norm(yp), mn = norm(xn) * norm(yn);
    const bool pos = mp > mn;
    const std::vector<double>& uu = pos ? xp : xn;
    const std::vector<double>& vv = pos ? yp : yn;
    const double un = norm(uu), vn = norm(vv), lam = std::sqrt(svd.s[c] * (pos ? mp : mn));
    for (std::int64_t i = 0; i < n; ++i) w(i, c) = un > 0 ? lam * (uu[i] / un) : 0.0;
    for (std::int64_t j = 0; j < p; ++j) h(c, j) = vn > 0 ? lam * (vv[j] / vn) : 0.0;
  }
  for (std::int64_t i = 0; i < w.size(); ++i)
    if (w.data()[i] < 1e-6) w.data()[i] = 0;
  for (std::int64_t i = 0; i < h.size(); ++i)
    if (h.data()[i] < 1e-6) h.data()[i] = 0;
  if (variant == Init::nndsvda) {
    for (std::int64_t i = 0; i < w.size(); ++i)
      if (w.data()[i] == 0) w.data()[i] = mean;
    for (std::int64_t i = 0; i < h.size(); ++i)
      if (h.data()[i] == 0) h.data()[i] = mean;
  } else if (variant == Init::nndsvdar) {
    rng::NumpyRandomState rs(seed);
    for (std::int64_t i = 0; i < w.size(); ++i)
      if (w.data()[i] == 0) w.data()[i] = std::abs(mean * rs.standard_normal() / 100);
    for (std::int64_t i = 0; i < h.size(); ++i)  // H row-major: component, then feature
      if (h.data()[i] == 0) h.data()[i] = std::abs(mean * rs.standard_normal() / 100);
  }
}

/// Puts a serial SVD (first k columns) on the grid.
TruncatedSvd<double> distribute(const ProcessGrid& grid, const Svd& svd, std::int64_t k) {
  TruncatedSvd<double> out{DistFactor<double>(grid, FactorSide::samples, svd.u.rows(), k),
                           std::vector<double>(svd.s.begin(), svd.s.begin() + k),
                           DistFactor<double>(grid, FactorSide::features, svd.v.rows(), k)};
  test::scatter_rows(svd.u, out.u);
  test::scatter_rows(svd.v, out.v);
  return out;
}

Matrix<double> transposed(const Matrix<double>& a) {
  Matrix<double> t(a.cols(), a.rows());
  for (std::int64_t i = 0; i < a.rows(); ++i)
    for (std::int64_t j = 0; j < a.cols(); ++j) t(j, i) = a(i, j);
  return t;
}

class NndsvdStepsTest : public testing::TestWithParam<Init> {};

// Steps B-D from one SVD on every grid, against the serial formulas. Uneven shapes put the
// features of ranks out of rank order (pc > 1), which nndsvdar's fill order must see through.
TEST_P(NndsvdStepsTest, MatchesSerialOnEveryGrid) {
  const Init variant = GetParam();
  const mpi::Comm comm = test::world_comm();
  const std::int64_t n = 43, p = 29, k = 6;
  const std::uint32_t seed = 5;
  const Matrix<double> x = test::global_random(n, p, 31);
  Svd svd = lapack_svd(x);
  flip(svd);
  DataSummary data;
  data.rows = n;
  data.cols = p;
  for (std::int64_t i = 0; i < x.size(); ++i) data.sum += x.data()[i];
  Matrix<double> w_ref, h_ref;
  serial_nndsvd(svd, k, variant, data.mean(), seed, w_ref, h_ref);
  std::int64_t zeros = 0;  // the data must exercise the fill
  for (std::int64_t i = 0; i < w_ref.size(); ++i) zeros += w_ref.data()[i] < 1e-5;
  if (variant == Init::nndsvd) {
    EXPECT_GT(zeros, n);
  }

  for (const GridShape shape : test::all_grids(comm.size())) {
    SCOPED_TRACE("grid " + shape.str());
    const ProcessGrid grid(comm, shape);
    const TruncatedSvd<double> dsvd = distribute(grid, svd, k);
    DistFactor<double> w(grid, FactorSide::samples, n, k), ht(grid, FactorSide::features, p, k);
    nndsvd_from_svd(dsvd, variant, data, seed, w, ht);
    EXPECT_LT(test::max_rel_diff_rows(w, w_ref), 1e-14);
    EXPECT_LT(test::max_rel_diff_rows(ht, transposed(h_ref)), 1e-14);
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, NndsvdStepsTest,
                         testing::Values(Init::nndsvd, Init::nndsvda, Init::nndsvdar));

// The zero-norm guard, deterministically: the null pair (u = [0, 1], v = [-1, 0]) has
// mp = mn = 0, where scikit-learn divides 0 by 0.
TEST(Nndsvd, ZeroNormGivesZeroVectorNotNaN) {
  const mpi::Comm comm = test::world_comm();
  Svd svd;
  svd.u = Matrix<double>(2, 2);
  svd.v = Matrix<double>(2, 2);
  svd.u(0, 0) = 1;
  svd.u(1, 1) = 1;
  svd.v(1, 0) = 1;
  svd.v(0, 1) = -1;
  svd.s = {0.27027472, 0.0};
  DataSummary data;
  data.rows = data.cols = 2;
  data.sum = 0.27027472;
  for (const GridShape shape : test::all_grids(comm.size())) {
    SCOPED_TRACE("grid " + shape.str());
    const ProcessGrid grid(comm, shape);
    const TruncatedSvd<double> dsvd = distribute(grid, svd, 2);
    DistFactor<double> w(grid, FactorSide::samples, 2, 2), ht(grid, FactorSide::features, 2, 2);
    nndsvd_from_svd(dsvd, Init::nndsvd, data, 1900, w, ht);
    const Matrix<double> gw = gather_factor(w), gh = gather_factor(ht);
    const double root = std::sqrt(0.27027472);
    EXPECT_DOUBLE_EQ(gw(0, 0), root);
    EXPECT_EQ(gw(1, 0), 0.0);
    EXPECT_EQ(gw(0, 1), 0.0);  // scikit-learn: NaN
    EXPECT_EQ(gw(1, 1), 0.0);  // scikit-learn: NaN
    EXPECT_EQ(gh(0, 0), 0.0);
    EXPECT_DOUBLE_EQ(gh(1, 0), root);
    EXPECT_EQ(gh(0, 1), 0.0);
    EXPECT_EQ(gh(1, 1), 0.0);
  }
}

// The spec's concrete NaN case end to end: X = [[0, 0.27027472], [0, 0]], k = 2, seed 1900.
// scikit-learn returns NaN in W[:, 1] for nndsvd and nndsvda; we return finite factors, equal
// to scikit-learn's everywhere else.
TEST(Nndsvd, SpecNaNCaseIsFinite) {
  const mpi::Comm comm = test::world_comm();
  Matrix<double> x(2, 2, 0.0);
  x(0, 1) = 0.27027472;
  DataSummary data;
  data.rows = data.cols = 2;
  data.sum = 0.27027472;
  const double root = std::sqrt(0.27027472), mean = 0.27027472 / 4;
  for (const GridShape shape : test::all_grids(comm.size())) {
    SCOPED_TRACE("grid " + shape.str());
    const ProcessGrid grid(comm, shape);
    DistMatrix<double> dx(grid, 2, 2);
    test::scatter_block(x, dx);
    DistProducts<double> products(dx);
    for (const Init variant : {Init::nndsvd, Init::nndsvda, Init::nndsvdar}) {
      SCOPED_TRACE(to_string(variant));
      DistFactor<double> w(grid, FactorSide::samples, 2, 2), ht(grid, FactorSide::features, 2, 2);
      nndsvd_init(products, variant, data, 1900, w, ht);
      const Matrix<double> gw = gather_factor(w), gh = gather_factor(ht);
      for (std::int64_t i = 0; i < 4; ++i) {
        EXPECT_TRUE(std::isfinite(gw.data()[i]));
        EXPECT_TRUE(std::isfinite(gh.data()[i]));
        EXPECT_GE(gw.data()[i], 0.0);
        EXPECT_GE(gh.data()[i], 0.0);
      }
      EXPECT_NEAR(gw(0, 0), root, 1e-15);
      EXPECT_NEAR(gh(1, 0), root, 1e-15);  // H[0, 1]
      if (variant == Init::nndsvd) {
        EXPECT_EQ(gw(1, 0), 0.0);
        EXPECT_EQ(gw(0, 1), 0.0);
        EXPECT_EQ(gw(1, 1), 0.0);
        EXPECT_EQ(gh(0, 0), 0.0);
        EXPECT_EQ(gh(0, 1), 0.0);
        EXPECT_EQ(gh(1, 1), 0.0);
      } else if (variant == Init::nndsvda) {
        EXPECT_DOUBLE_EQ(gw(1, 0), mean);
        EXPECT_DOUBLE_EQ(gw(0, 1), mean);
        EXPECT_DOUBLE_EQ(gw(1, 1), mean);
        EXPECT_DOUBLE_EQ(gh(0, 0), mean);
        EXPECT_DOUBLE_EQ(gh(0, 1), mean);
        EXPECT_DOUBLE_EQ(gh(1, 1), mean);
      }
    }
  }
}

// The whole initialisation is independent of the grid, and every variant is non-negative.
TEST(Nndsvd, InitIndependentOfGrid) {
  const mpi::Comm comm = test::world_comm();
  for (const auto& [n, p, k] :
       {std::array<std::int64_t, 3>{53, 19, 4}, std::array<std::int64_t, 3>{19, 61, 6}}) {
    const Matrix<double> x = test::global_random(n, p, 77);
    DataSummary data;
    data.rows = n;
    data.cols = p;
    for (std::int64_t i = 0; i < x.size(); ++i) data.sum += x.data()[i];
    for (const Init variant : {Init::nndsvd, Init::nndsvda, Init::nndsvdar}) {
      SCOPED_TRACE(to_string(variant) + " " + std::to_string(n) + "x" + std::to_string(p));
      Matrix<double> first_w, first_h;
      for (const GridShape shape : test::all_grids(comm.size())) {
        SCOPED_TRACE("grid " + shape.str());
        const ProcessGrid grid(comm, shape);
        DistMatrix<double> dx(grid, n, p);
        test::scatter_block(x, dx);
        DistProducts<double> products(dx);
        DistFactor<double> w(grid, FactorSide::samples, n, k), ht(grid, FactorSide::features, p, k);
        nndsvd_init(products, variant, data, 9, w, ht);
        const Matrix<double> gw = gather_factor(w), gh = gather_factor(ht);
        EXPECT_GE(*std::min_element(gw.data(), gw.data() + gw.size()), 0.0);
        EXPECT_GE(*std::min_element(gh.data(), gh.data() + gh.size()), 0.0);
        if (first_w.empty()) {
          first_w = gw;
          first_h = gh;
        } else {
          EXPECT_LT(test::max_rel_diff_rows(w, first_w), 1e-12);
          EXPECT_LT(test::max_rel_diff_rows(ht, first_h), 1e-12);
        }
      }
    }
  }
}

TEST(Nndsvd, RejectsOtherInits) {
  const mpi::Comm comm = test::world_comm();
  const ProcessGrid grid(comm, GridShape{comm.size(), 1});
  DistMatrix<double> dx(grid, 4, 3);
  DistProducts<double> products(dx);
  DistFactor<double> w(grid, FactorSide::samples, 4, 2), ht(grid, FactorSide::features, 3, 2);
  EXPECT_THROW(nndsvd_init(products, Init::random, DataSummary{}, 0, w, ht), UsageError);
}

}  // namespace
}  // namespace dnmf
