#include "dnmf/dist/randomized_svd.hpp"

#include <algorithm>
#include <string>
#include <type_traits>
#include <vector>

#include "dnmf/core/error.hpp"
#include "dnmf/dist/block_cyclic.hpp"
#include "dnmf/dist/svd_flip.hpp"
#include "dnmf/dist/tall_lu_qr.hpp"
#include "dnmf/la/blas.hpp"
#include "dnmf/la/lapack.hpp"
#include "dnmf/rng/numpy_random.hpp"

namespace dnmf {
namespace {

/// The same factor in another precision (same layout). Local.
template <typename To, typename From>
DistFactor<To> converted(const DistFactor<From>& f) {
  DistFactor<To> out(f.grid(), f.layout().side, f.layout().axis, f.k());
  const From* in = f.local().data();
  To* o = out.local().data();
  for (std::int64_t i = 0; i < f.local().size(); ++i) o[i] = static_cast<To>(in[i]);
  return out;
}

/// F S[:, 0:cols] for my rows of a tall F (rows x c) and a replicated row-major S (c x c).
/// Local.
template <typename T>
DistFactor<T> times_small(const DistFactor<T>& f, const Matrix<T>& s, std::int64_t cols) {
  DistFactor<T> out = f.with_columns(cols);
  const Matrix<T>& fl = f.local();
  la::gemm(la::Op::none, la::Op::none, fl.rows(), cols, f.k(), T(1), fl.data(), f.k(), s.data(),
           s.cols(), T(0), out.local().data(), cols);
  return out;
}

}  // namespace

// The randomized SVD, distributed. With M = X (n >= p) or M = X^T (n < p), "R side" = the rows
// of M and "C side" = its columns; tall factors live on one side or the other as DistFactors
// and products with M go through DistProducts, so X never moves:
//   1. Omega (C side, rows_C x r): row i takes normals [i r, (i+1) r) of RandomState(seed);
//      each rank skips to its first row and draws only its own rows.
//   2. n_iter times: Y = P L of LU(M Q) (R side), Q = P L of LU(M^T Y) (C side); ScaLAPACK LU
//      on the block-cyclic copies (TallProxy).
//   3. Q = orthonormal factor of QR(M Q) (R side, ScaLAPACK QR).
//   4. B = Q^T M is r2 x rows_C, possibly wide (rows_C can be huge). We never form it: we form
//      B^T = M^T Q (C side, a DistFactor) and its QR, B^T = Qb Rb (ScaLAPACK again). Then
//      B = Rb^T Qb^T, and the SVD of the small r2 x r2 Rb^T = Ur S Vr^T (LAPACK gesdd on rank
//      0, broadcast so that every rank holds the same bits) gives B = Ur S (Qb Vr)^T: the thin
//      SVD of B with Uh = Ur and V_B = Qb Vr. This is exact (an orthogonal change of basis), so
//      singular values agree with scipy's gesdd of B to rounding and singular vectors to
//      rounding over the singular-value gaps, up to the sign that step 6 fixes.
//   5. U_M = Q Ur (R side), V_M = Qb Vr (C side): local products with replicated r2 x r2
//      matrices, first k columns only.
//   6. U_X is U_M (not transposed) or V_M (transposed): scikit-learn's svd_flip is u-based in
//      the first case and v-based on the transposed problem, i.e. based on the left singular
//      vectors of X in both. Flip U_X and V_X together.
//
// Precision: the products with X run in X's type T, as scikit-learn's do; the factorizations
// (LU, QR, the small SVD) and the tall factors between them run in double for every T. For
// float64 that is scikit-learn's arithmetic. For float32 it is more accurate than scikit-learn's
// all-float32 SVD: this algorithm's extra QR of B^T (step 4) and ScaLAPACK's blocking round
// differently from LAPACK in float32, and the last singular vectors of a near-full-rank X
// (k close to min(n, p), small gaps) carried those differences into the fit at 1e-5; in double
// the factorizations add nothing and only the float32 products' rounding, shared with
// scikit-learn, remains.
template <typename T>
TruncatedSvd<T> randomized_svd(DistProducts<T>& products, std::int64_t k, std::uint32_t seed) {
  using Work = double;
  const DistMatrix<T>& x = products.x();
  const ProcessGrid& grid = x.grid();
  const std::int64_t n = x.rows(), p = x.cols();
  if (k < 1 || k > std::min(n, p)) {
    throw UsageError(
        "randomized_svd: n_components must be in [1, min(n_samples, n_features)] = "
        "[1, " +
        std::to_string(std::min(n, p)) + "], got " + std::to_string(k));
  }
  const std::int64_t r = k + 10;
  const int n_iter = static_cast<double>(k) < 0.1 * static_cast<double>(std::min(n, p)) ? 7 : 4;
  const bool transposed = n < p;
  const FactorSide side_r = transposed ? FactorSide::features : FactorSide::samples;
  const FactorSide side_c = transposed ? FactorSide::samples : FactorSide::features;
  const std::int64_t rows_r = transposed ? p : n, rows_c = transposed ? n : p;

  // M F for F on the C side, and M^T F for F on the R side, in T; factors in and out in Work.
  auto product = [&](const DistFactor<Work>& f, FactorSide out_side, bool with_xt) {
    DistFactor<T> out = DistFactor<T>::like(x, out_side, f.k());
    auto multiply = [&](const DistFactor<T>& ft) {
      if (with_xt) {
        products.xt_times_w(ft, out.layout(), out.local());
      } else {
        products.x_times_ht(ft, out.layout(), out.local());
      }
    };
    if constexpr (std::is_same_v<T, Work>) {
      multiply(f);
      return out;
    } else {
      multiply(converted<T>(f));
      return converted<Work>(out);
    }
  };
  auto times_m = [&](const DistFactor<Work>& f) { return product(f, side_r, transposed); };
  auto times_mt = [&](const DistFactor<Work>& f) { return product(f, side_c, !transposed); };
  const TallProxy proxy_r(grid, side_r, rows_r), proxy_c(grid, side_c, rows_c);

  // 1. Omega, rounded to T as sklearn casts it to X's dtype.
  DistFactor<Work> q = DistFactor<Work>::like(x, side_c, r);
  {
    // Drawn in item order (row-major over the rows of Omega), then moved to X's layout.
    DistFactor<Work> drawn = q.relaid(q.natural_axis());
    rng::NumpyRandomState rs(seed);
    rs.discard_normals(static_cast<std::uint64_t>(drawn.owned().begin * r));
    Matrix<Work>& ql = drawn.local();
    for (std::int64_t i = 0; i < ql.rows(); ++i)
      for (std::int64_t j = 0; j < r; ++j)
        ql(i, j) = static_cast<Work>(static_cast<T>(rs.standard_normal()));
    q = drawn.relaid(q.layout().axis);
  }
  // 2. Power iterations with LU normalisation (n_iter is always >= 4 here).
  for (int it = 0; it < n_iter; ++it) {
    const DistFactor<Work> y = lu_permuted_l(proxy_r, times_m(q));
    q = lu_permuted_l(proxy_c, times_mt(y));
  }
  // 3. Orthonormal basis of the range sample.
  DistFactor<Work> qr = times_m(q);
  qr_in_place(proxy_r, qr, static_cast<Matrix<Work>*>(nullptr));
  const std::int64_t r2 = qr.k();
  // 4. B^T = M^T Q and its QR; SVD of Rb^T.
  DistFactor<Work> bt = times_mt(qr);
  Matrix<Work> rb;
  qr_in_place(proxy_c, bt, &rb);
  Matrix<Work> ur(r2, r2), vr(r2, r2);
  std::vector<Work> s(static_cast<std::size_t>(r2));
  // On rank 0 only; its failure (no convergence: a NumericalError) is agreed by every rank.
  mpi::agree(grid.all(), [&] {
    if (grid.rank() != 0) return;
    // rb's row-major storage is Rb^T in column-major order, as gesdd wants it.
    std::vector<Work> sv, u, vt;
    la::check_converged(la::gesdd(r2, r2, rb.data(), r2, sv, u, vt), "randomized_svd", "gesdd");
    for (std::int64_t i = 0; i < r2; ++i) {
      s[static_cast<std::size_t>(i)] = sv[static_cast<std::size_t>(i)];
      for (std::int64_t j = 0; j < r2; ++j) {
        ur(i, j) = u[static_cast<std::size_t>(i + j * r2)];   // column-major U
        vr(i, j) = vt[static_cast<std::size_t>(j + i * r2)];  // Vr = (column-major VT)^T
      }
    }
  });
  grid.all().bcast(s.data(), r2, 0);
  grid.all().bcast(ur.data(), ur.size(), 0);
  grid.all().bcast(vr.data(), vr.size(), 0);
  // 5. Singular vectors of M, first k.
  DistFactor<Work> u_m = times_small(qr, ur, k);
  DistFactor<Work> v_m = times_small(bt, vr, k);
  // 6. Back to X, signs decided on X's left singular vectors; then to T, and the singular
  // values rounded to T too (scikit-learn's S has X's dtype).
  DistFactor<Work>& u_x = transposed ? v_m : u_m;
  DistFactor<Work>& v_x = transposed ? u_m : v_m;
  flip_signs(u_x, v_x);
  std::vector<double> s_k(static_cast<std::size_t>(k));
  for (std::int64_t i = 0; i < k; ++i)
    s_k[static_cast<std::size_t>(i)] = static_cast<T>(s[static_cast<std::size_t>(i)]);
  if constexpr (std::is_same_v<T, Work>) {
    return TruncatedSvd<T>{std::move(u_x), std::move(s_k), std::move(v_x)};
  } else {
    return TruncatedSvd<T>{converted<T>(u_x), std::move(s_k), converted<T>(v_x)};
  }
}

template TruncatedSvd<double> randomized_svd<double>(DistProducts<double>&, std::int64_t,
                                                     std::uint32_t);
template TruncatedSvd<float> randomized_svd<float>(DistProducts<float>&, std::int64_t,
                                                   std::uint32_t);

}  // namespace dnmf
