#include "dnmf/nmf/nndsvd.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include "dnmf/la/blas.hpp"
#include "dnmf/la/scalapack.hpp"
#include "dnmf/rng/numpy_random.hpp"

namespace dnmf {
namespace {

/// A block-cyclic copy of a tall factor: column-major local array and its descriptor.
template <typename T>
struct BlockCyclic {
  std::vector<T> a;
  la::Descriptor desc;
};

/// The ScaLAPACK view ("proxy") of the tall factors of one side (samples or features): a P x 1
/// BLACS grid over the grid's communicator, and the p?gemr2d moves between a DistFactor's rows
/// and a block-cyclic copy.
///
/// A DistFactor gives every rank one contiguous run of q or q+1 rows (q = m / P; the two-level
/// balanced split of factor_layout guarantees it), but which ranks hold q+1 depends on the grid.
/// One ScaLAPACK descriptor describes runs of a single length only, so the factor is seen as
/// two uniform matrices over the same BLACS grid:
///   body: the first q rows of every rank, P blocks of q rows, block g on process row g;
///   tail: the (q+1)-th row of the rem = m - P q ranks that have one, 1-row blocks.
/// The BLACS grid lists the ranks with a tail row first (Cblacs_gridmap), so tail block e sits
/// on process row e. The block-cyclic copy holds the body rows first, then the tail rows: a
/// row permutation of X's order. LU with partial pivoting and Householder QR commute with a
/// row permutation of their input (up to rounding and pivot ties), and the randomized SVD
/// needs only the spans of these factors, so the permutation is harmless; it is undone on the
/// way back.
///   Example m = 7, P = 3, rank sizes 2, 3, 2 (q = 2, rem = 1): process rows = ranks 1, 0, 2;
///   copy rows 0-1 = rank 1's rows 0-1, 2-3 = rank 0's, 4-5 = rank 2's, 6 = rank 1's row 2.
///
/// The copy's row blocks have q rows (1 if q = 0), so block g of the copy IS body block g, on
/// the same process row and in the same local rows: the body is copied locally (a transpose to
/// column-major) and p?gemr2d moves only the tail rows, at most P - 1 of them (to process row
/// 0, or spread from it when q < rem). Measured on Fashion-MNIST (70000 x 30 factors, 2 ranks):
/// p?gemr2d of whole factors, even between identical layouts, cost ~0.9 s of a ~5 s init; the
/// local copy costs ~0.2 s. Column blocks: square (q x q) for p?getrf, which requires MB = NB;
/// at most 16 wide for p?geqrf and p?orgqr, whose workspace grows with NB^2 and whose panels
/// are blocked (BLAS 3) only when NB < the number of columns.
class TallProxy {
 public:
  enum class Blocks { square, narrow };

  /// Collective over grid.all().
  TallProxy(const ProcessGrid& grid, FactorSide side, std::int64_t rows)
      : grid_(&grid), side_(side), m_(rows) {
    const mpi::Comm& all = grid.all();
    const int p = all.size();
    const FactorLayout layout = factor_layout(grid, side, rows);
    mine_ = layout.owned.size;
    std::vector<std::int64_t> sizes(static_cast<std::size_t>(p));
    all.allgatherv(&mine_, sizes.data(), std::vector<std::int64_t>(sizes.size(), 1));
    q_ = m_ / p;
    rem_ = m_ - q_ * p;
    std::vector<int> tail_first, others;
    for (int r = 0; r < p; ++r) {
      const std::int64_t s = sizes[static_cast<std::size_t>(r)];
      if (s == q_ + 1 && static_cast<std::int64_t>(tail_first.size()) < rem_) {
        tail_first.push_back(r);
      } else if (s == q_) {
        others.push_back(r);
      } else {
        throw InternalError("nndsvd: factor rows are not split in runs of q or q+1 per rank");
      }
    }
    if (static_cast<std::int64_t>(tail_first.size()) != rem_) {
      throw InternalError("nndsvd: factor rows are not split in runs of q or q+1 per rank");
    }
    tail_first.insert(tail_first.end(), others.begin(), others.end());
    blacs_ = std::make_unique<la::BlacsGrid>(all, p, 1, tail_first);
    nb_ = std::max<std::int64_t>(1, q_);
    copy_rows_ = la::numroc(m_, nb_, blacs_->myrow(), 0, p);
  }

  std::int64_t rows() const { return m_; }
  const ProcessGrid& grid() const { return *grid_; }

  /// `a` in the uniform layout the proxy expects (X's blocks may be balanced by entries;
  /// a copy either way). Collective.
  template <typename T>
  DistFactor<T> uniform(const DistFactor<T>& a) const {
    const int parts = side_ == FactorSide::samples ? grid_->pr() : grid_->pc();
    // Keeping the rows' order (and so any permutation) only moves rows between neighbours.
    return a.relaid(Axis::uniform(m_, parts).permuted(a.layout().axis.permutation()));
  }
  FactorSide side() const { return side_; }

  /// Leading dimension of the local part of a block-cyclic copy (its local row count).
  std::int64_t copy_ld() const { return std::max<std::int64_t>(1, copy_rows_); }
  std::int64_t copy_rows() const { return copy_rows_; }
  /// The global row (in the copy's order) of local row l of the copy.
  std::int64_t copy_row(std::int64_t l) const {
    const std::int64_t p = blacs_->nprow();
    return ((l / nb_) * p + blacs_->myrow()) * nb_ + l % nb_;
  }

  /// The block-cyclic copy of `local` (my factor rows, row-major, `cols` columns), with square
  /// blocks for LU or narrow column blocks for QR. Collective.
  template <typename T>
  BlockCyclic<T> to_copy(const Matrix<T>& local, std::int64_t cols, Blocks blocks) const {
    BlockCyclic<T> bc;
    const std::int64_t col_block =
        blocks == Blocks::square ? nb_ : std::clamp<std::int64_t>(cols, 1, kNarrow);
    bc.desc = la::make_descriptor(*blacs_, m_, cols, nb_, col_block, copy_ld());
    bc.a.assign(static_cast<std::size_t>(copy_ld() * cols), T(0));
    const std::int64_t ld = copy_ld();
    for (std::int64_t i = 0; i < q_; ++i)  // body: my first q rows are local rows 0..q-1
      for (std::int64_t j = 0; j < cols; ++j)
        bc.a[static_cast<std::size_t>(i + j * ld)] = local(i, j);
    std::vector<T> tail(static_cast<std::size_t>(cols));
    if (mine_ > q_)
      for (std::int64_t j = 0; j < cols; ++j) tail[static_cast<std::size_t>(j)] = local(q_, j);
    move_tail(tail.data(), bc, cols, /*to_copy=*/true);
    return bc;
  }

  /// The first `cols` columns of a block-cyclic copy back into my factor rows (row-major).
  /// Collective.
  template <typename T>
  void from_copy(BlockCyclic<T>& bc, std::int64_t cols, Matrix<T>& local) const {
    std::vector<T> tail(static_cast<std::size_t>(cols));
    move_tail(tail.data(), bc, cols, /*to_copy=*/false);
    local.resize(mine_, cols);
    const std::int64_t ld = copy_ld();
    for (std::int64_t i = 0; i < q_; ++i)
      for (std::int64_t j = 0; j < cols; ++j)
        local(i, j) = bc.a[static_cast<std::size_t>(i + j * ld)];
    if (mine_ > q_)
      for (std::int64_t j = 0; j < cols; ++j) local(q_, j) = tail[static_cast<std::size_t>(j)];
  }

 private:
  /// Widest column block for QR.
  static constexpr std::int64_t kNarrow = 16;

  /// Moves the tail rows between my `row` (1 x cols; unused if I hold no tail row) and rows
  /// P q .. m-1 of the copy with p?gemr2d. The body needs no move: with q-row blocks, block g
  /// of the copy is body block g, on the same process row, in the same local rows 0..q-1.
  ///   before (m = 7, P = 3): tail row of rank 1 (process row 0) in `row`
  ///   after: copy row 6, i.e. block 3 of 2 rows -> process row 0, local row 2
  template <typename T>
  void move_tail(T* row, BlockCyclic<T>& bc, std::int64_t cols, bool to_copy) const {
    if (rem_ == 0) return;
    const std::int64_t start = blacs_->nprow() * q_;
    const la::Descriptor tail = la::make_descriptor(*blacs_, rem_, cols, 1, cols, 1);
    if (to_copy) {
      la::gemr2d(rem_, cols, row, 0, 0, tail, bc.a.data(), start, 0, bc.desc, *blacs_);
    } else {
      la::gemr2d(rem_, cols, bc.a.data(), start, 0, bc.desc, row, 0, 0, tail, *blacs_);
    }
  }

  const ProcessGrid* grid_;
  FactorSide side_;
  std::int64_t m_ = 0, q_ = 0, rem_ = 0, mine_ = 0, nb_ = 1, copy_rows_ = 0;
  std::unique_ptr<la::BlacsGrid> blacs_;
};

/// scipy.linalg.lu(A, permute_l=True)[0] for a tall-or-wide factor A (m x c): the row-permuted
/// unit lower-trapezoidal factor P L, m x min(m, c). Only its span (that of A when A has full
/// column rank) matters to the randomized SVD. ScaLAPACK p?getrf on the block-cyclic copy; L is
/// cut out of the factored copy (unit diagonal, zeros above it); p?lapiv puts its rows back.
/// Collective.
template <typename T>
DistFactor<T> lu_permuted_l(const TallProxy& proxy, const DistFactor<T>& a) {
  const std::int64_t m = a.global_rows(), c = a.k(), kk = std::min(m, c);
  const DistFactor<T> au = proxy.uniform(a);
  BlockCyclic<T> bc = proxy.to_copy(au.local(), c, TallProxy::Blocks::square);
  std::vector<int> ipiv;
  // info > 0 means an exactly zero pivot (U singular): the factorization is still complete and
  // L is what we need, as scipy's lu, which does not fail there either.
  la::getrf(m, c, bc.a.data(), 0, 0, bc.desc, ipiv);
  const std::int64_t ld = proxy.copy_ld();
  for (std::int64_t l = 0; l < proxy.copy_rows(); ++l) {
    const std::int64_t g = proxy.copy_row(l);
    for (std::int64_t j = g; j < kk; ++j) bc.a[l + j * ld] = j == g ? T(1) : T(0);
  }
  la::apply_row_pivots(la::PivotDirection::backward, kk, kk, bc.a.data(), 0, bc.desc, ipiv);
  DistFactor<T> out = au.with_columns(kk);  // the proxy's layout, rows in the same order
  proxy.from_copy(bc, kk, out.local());
  return out.relaid(a.layout().axis);
}

/// Replaces a tall factor A (m x c, m >= c) by the orthonormal factor Q of its economic QR
/// (scipy.linalg.qr(A, mode='economic')[0], up to column signs). With `r` non-null, also
/// returns R (c x c, upper triangular, row-major) on every rank. p?geqrf + p?orgqr on the
/// block-cyclic copy; R's entries are summed in from the ranks that hold them. Collective.
template <typename T>
void qr_in_place(const TallProxy& proxy, DistFactor<T>& a, Matrix<T>* r) {
  const std::int64_t m = a.global_rows(), c = a.k();
  if (m < c) throw InternalError("nndsvd: QR of a wide factor");
  DistFactor<T> au = proxy.uniform(a);
  BlockCyclic<T> bc = proxy.to_copy(au.local(), c, TallProxy::Blocks::narrow);
  std::vector<T> tau;
  la::geqrf(m, c, bc.a.data(), 0, 0, bc.desc, tau);
  const std::int64_t ld = proxy.copy_ld();
  if (r) {
    r->resize(c, c);
    r->fill(T(0));
    for (std::int64_t l = 0; l < proxy.copy_rows(); ++l) {
      const std::int64_t g = proxy.copy_row(l);
      if (g >= c) continue;
      for (std::int64_t j = g; j < c; ++j) (*r)(g, j) = bc.a[l + j * ld];
    }
    a.grid().all().allreduce_sum(r->data(), r->size());
  }
  la::orgqr(m, c, c, bc.a.data(), 0, 0, bc.desc, tau);
  proxy.from_copy(bc, c, au.local());
  a = au.relaid(a.layout().axis);
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

/// scikit-learn's svd_flip, deciding on the left singular vectors of X (`u`, samples side):
/// each column gets the sign of its largest-magnitude entry (the first such entry in global
/// row order on ties; sign(0) = 0 zeroes the pair), and the matching column of `v` the same.
/// One all-gather of k (|max|, row, value) triples per rank. Collective.
template <typename T>
void flip_signs(DistFactor<T>& u, DistFactor<T>& v) {
  const std::int64_t k = u.k();
  const mpi::Comm& all = u.grid().all();
  std::vector<double> mine(static_cast<std::size_t>(3 * k), -1.0);
  const Matrix<T>& ul = u.local();
  for (std::int64_t c = 0; c < k; ++c) {
    double best = -1, value = 0;
    std::int64_t row = -1;
    for (std::int64_t i = 0; i < ul.rows(); ++i) {
      const double a = std::abs(static_cast<double>(ul(i, c)));
      const std::int64_t item = u.layout().axis.item(u.owned().begin + i);
      if (a > best || (a == best && item < row)) {  // ties go by item order
        best = a;
        row = item;
        value = static_cast<double>(ul(i, c));
      }
    }
    mine[3 * c] = best;
    mine[3 * c + 1] = static_cast<double>(row);  // exact: rows < 2^53
    mine[3 * c + 2] = value;
  }
  const int p = all.size();
  std::vector<double> every(static_cast<std::size_t>(3 * k * p));
  all.allgatherv(mine.data(), every.data(), std::vector<std::int64_t>(p, 3 * k));
  for (std::int64_t c = 0; c < k; ++c) {
    double best = -1, row = 0, value = 0;
    for (int r = 0; r < p; ++r) {
      const double* e = &every[static_cast<std::size_t>(3 * (r * k + c))];
      if (e[0] < 0) continue;  // no rows on that rank
      if (e[0] > best || (e[0] == best && e[1] < row)) {
        best = e[0];
        row = e[1];
        value = e[2];
      }
    }
    const T sign = value > 0 ? T(1) : (value < 0 ? T(-1) : T(0));
    for (std::int64_t i = 0; i < u.local().rows(); ++i) u.local()(i, c) *= sign;
    for (std::int64_t i = 0; i < v.local().rows(); ++i) v.local()(i, c) *= sign;
  }
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
template <typename T>
TruncatedSvd<T> randomized_svd(DistProducts<T>& products, std::int64_t k, std::uint32_t seed) {
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

  // M F for F on the C side, and M^T F for F on the R side.
  auto times_m = [&](const DistFactor<T>& f) {
    DistFactor<T> out = DistFactor<T>::like(x, side_r, f.k());
    if (transposed) {
      products.xt_times_w(f, out.layout(), out.local());
    } else {
      products.x_times_ht(f, out.layout(), out.local());
    }
    return out;
  };
  auto times_mt = [&](const DistFactor<T>& f) {
    DistFactor<T> out = DistFactor<T>::like(x, side_c, f.k());
    if (transposed) {
      products.x_times_ht(f, out.layout(), out.local());
    } else {
      products.xt_times_w(f, out.layout(), out.local());
    }
    return out;
  };
  const TallProxy proxy_r(grid, side_r, rows_r), proxy_c(grid, side_c, rows_c);

  // 1. Omega, cast to T as sklearn casts it to X's dtype.
  DistFactor<T> q = DistFactor<T>::like(x, side_c, r);
  {
    // Drawn in item order (row-major over the rows of Omega), then moved to X's layout.
    DistFactor<T> drawn = q.relaid(q.natural_axis());
    rng::NumpyRandomState rs(seed);
    rs.discard_normals(static_cast<std::uint64_t>(drawn.owned().begin * r));
    Matrix<T>& ql = drawn.local();
    for (std::int64_t i = 0; i < ql.rows(); ++i)
      for (std::int64_t j = 0; j < r; ++j) ql(i, j) = static_cast<T>(rs.standard_normal());
    q = drawn.relaid(q.layout().axis);
  }
  // 2. Power iterations with LU normalisation (n_iter is always >= 4 here).
  for (int it = 0; it < n_iter; ++it) {
    const DistFactor<T> y = lu_permuted_l(proxy_r, times_m(q));
    q = lu_permuted_l(proxy_c, times_mt(y));
  }
  // 3. Orthonormal basis of the range sample.
  DistFactor<T> qr = times_m(q);
  qr_in_place(proxy_r, qr, static_cast<Matrix<T>*>(nullptr));
  const std::int64_t r2 = qr.k();
  // 4. B^T = M^T Q and its QR; SVD of Rb^T.
  DistFactor<T> bt = times_mt(qr);
  Matrix<T> rb;
  qr_in_place(proxy_c, bt, &rb);
  Matrix<T> ur(r2, r2), vr(r2, r2);
  std::vector<T> s(static_cast<std::size_t>(r2));
  std::int64_t info = 0;
  if (grid.rank() == 0) {
    // rb's row-major storage is Rb^T in column-major order, as gesdd wants it.
    std::vector<T> sv, u, vt;
    info = la::gesdd(r2, r2, rb.data(), r2, sv, u, vt);
    for (std::int64_t i = 0; i < r2; ++i) {
      s[static_cast<std::size_t>(i)] = sv[static_cast<std::size_t>(i)];
      for (std::int64_t j = 0; j < r2; ++j) {
        ur(i, j) = u[static_cast<std::size_t>(i + j * r2)];   // column-major U
        vr(i, j) = vt[static_cast<std::size_t>(j + i * r2)];  // Vr = (column-major VT)^T
      }
    }
  }
  grid.all().bcast(&info, 1, 0);
  if (info != 0) {
    throw InternalError(
        "randomized_svd: SVD did not converge (gesdd info = " + std::to_string(info) + ")");
  }
  grid.all().bcast(s.data(), r2, 0);
  grid.all().bcast(ur.data(), ur.size(), 0);
  grid.all().bcast(vr.data(), vr.size(), 0);
  // 5. Singular vectors of M, first k.
  DistFactor<T> u_m = times_small(qr, ur, k);
  DistFactor<T> v_m = times_small(bt, vr, k);
  // 6. Back to X, signs decided on X's left singular vectors.
  DistFactor<T>& u_x = transposed ? v_m : u_m;
  DistFactor<T>& v_x = transposed ? u_m : v_m;
  flip_signs(u_x, v_x);
  std::vector<double> s_k(static_cast<std::size_t>(k));
  for (std::int64_t i = 0; i < k; ++i)
    s_k[static_cast<std::size_t>(i)] = s[static_cast<std::size_t>(i)];
  return TruncatedSvd<T>{std::move(u_x), std::move(s_k), std::move(v_x)};
}

// Steps B-D of NNDSVD. Every rank works on its own rows of W and of Ht; the only global facts
// are the norms of the positive and negative parts of each singular vector (one all-reduce of
// 4k sums) and, for nndsvdar, where each rank's zeros fall in scikit-learn's fill order (one
// all-gather of k + 3 counts per rank).
//
// Deliberate deviation (spec §3.3, "NaN defect"): scikit-learn divides by the norm of the
// chosen part even when it is zero, which gives NaN (e.g. X = [[0, 0.27027472], [0, 0]], k = 2,
// random_state = 1900: a zero singular value whose vectors have u >= 0 and v <= 0). Here a zero
// norm gives a zero vector; since sigma = 0 there, lam = 0 and W[:, j], H[j, :] are zero, as
// they are for every other pair with a zero product of norms. The variant's fill then treats
// them as any other zero (for nndsvdar the draws after that point shift against scikit-learn,
// whose NaNs are not zeros).
template <typename T>
void nndsvd_from_svd(const TruncatedSvd<T>& svd, Init variant, const DataSummary& data,
                     std::uint32_t seed, DistFactor<T>& w, DistFactor<T>& ht) {
  if (variant != Init::nndsvd && variant != Init::nndsvda && variant != Init::nndsvdar) {
    throw UsageError("nndsvd_init: init '" + to_string(variant) + "' is not an NNDSVD variant");
  }
  const std::int64_t k = w.k();
  const Matrix<T>& ul = svd.u.local();
  const Matrix<T>& vl = svd.v.local();
  if (ht.k() != k || svd.u.k() < k || svd.v.k() < k ||
      static_cast<std::int64_t>(svd.s.size()) < k || ul.rows() != w.local().rows() ||
      vl.rows() != ht.local().rows()) {
    throw InternalError("nndsvd: SVD and factor shapes do not match");
  }
  // Squared norms of the positive and negative parts of u_j and v_j.
  std::vector<double> sums(static_cast<std::size_t>(4 * k), 0.0);
  for (std::int64_t i = 0; i < ul.rows(); ++i)
    for (std::int64_t j = 0; j < k; ++j) {
      const double a = static_cast<double>(ul(i, j));
      sums[static_cast<std::size_t>(4 * j + (a > 0 ? 0 : 1))] += a * a;
    }
  for (std::int64_t i = 0; i < vl.rows(); ++i)
    for (std::int64_t j = 0; j < k; ++j) {
      const double a = static_cast<double>(vl(i, j));
      sums[static_cast<std::size_t>(4 * j + (a > 0 ? 2 : 3))] += a * a;
    }
  w.grid().all().allreduce_sum(sums.data(), static_cast<std::int64_t>(sums.size()));

  Matrix<T>& wl = w.local();
  Matrix<T>& hl = ht.local();
  {
    const T root = std::sqrt(static_cast<T>(svd.s[0]));
    for (std::int64_t i = 0; i < wl.rows(); ++i) wl(i, 0) = root * std::abs(ul(i, 0));
    for (std::int64_t i = 0; i < hl.rows(); ++i) hl(i, 0) = root * std::abs(vl(i, 0));
  }
  for (std::int64_t j = 1; j < k; ++j) {
    const auto norm = [&](int part) {
      return std::sqrt(static_cast<T>(sums[static_cast<std::size_t>(4 * j + part)]));
    };
    const T xp = norm(0), xn = norm(1), yp = norm(2), yn = norm(3);
    const T mp = xp * yp, mn = xn * yn;
    const bool positive = mp > mn;  // ties go to the negative parts, as in scikit-learn
    const T x_norm = positive ? xp : xn, y_norm = positive ? yp : yn;
    const T sigma = positive ? mp : mn;
    const T lam = std::sqrt(static_cast<T>(svd.s[static_cast<std::size_t>(j)]) * sigma);
    // The chosen part of a, divided by its norm (numpy order: part / norm, then * lam); a zero
    // norm gives zero (the NaN guard above).
    const auto scaled = [&](T a, T part_norm) {
      const T part = positive ? std::max(a, T(0)) : std::abs(std::min(a, T(0)));
      return part_norm > T(0) ? lam * (part / part_norm) : T(0);
    };
    for (std::int64_t i = 0; i < wl.rows(); ++i) wl(i, j) = scaled(ul(i, j), x_norm);
    for (std::int64_t i = 0; i < hl.rows(); ++i) hl(i, j) = scaled(vl(i, j), y_norm);
  }

  // Step C: absolute truncation.
  const T eps = static_cast<T>(1e-6);
  for (std::int64_t i = 0; i < wl.size(); ++i)
    if (wl.data()[i] < eps) wl.data()[i] = T(0);
  for (std::int64_t i = 0; i < hl.size(); ++i)
    if (hl.data()[i] < eps) hl.data()[i] = T(0);

  // Step D: fill the zeros.
  const T avg = static_cast<T>(data.mean());
  if (variant == Init::nndsvda) {
    for (std::int64_t i = 0; i < wl.size(); ++i)
      if (wl.data()[i] == T(0)) wl.data()[i] = avg;
    for (std::int64_t i = 0; i < hl.size(); ++i)
      if (hl.data()[i] == T(0)) hl.data()[i] = avg;
  } else if (variant == Init::nndsvdar) {
    // scikit-learn fills W's zeros in row-major order (sample, then component), then H's zeros
    // in row-major order of H (component, then feature), with consecutive normals of a fresh
    // RandomState(seed). My W rows are contiguous; my Ht rows are a contiguous run of
    // features, but ranks do not own features in rank order when pc > 1, so every rank
    // publishes where its runs start and how many zeros each holds, per component for H:
    //   [w begin, W zeros, ht begin, H zeros of component 0, ..., of component k-1].
    const mpi::Comm& all = w.grid().all();
    const int p = all.size();
    const std::int64_t width = k + 3;
    std::vector<std::int64_t> mine(static_cast<std::size_t>(width), 0);
    mine[0] = w.owned().begin;
    mine[2] = ht.owned().begin;
    for (std::int64_t i = 0; i < wl.size(); ++i) mine[1] += wl.data()[i] == T(0) ? 1 : 0;
    for (std::int64_t i = 0; i < hl.rows(); ++i)
      for (std::int64_t c = 0; c < k; ++c)
        mine[static_cast<std::size_t>(3 + c)] += hl(i, c) == T(0);
    std::vector<std::int64_t> every(static_cast<std::size_t>(width * p));
    all.allgatherv(mine.data(), every.data(), std::vector<std::int64_t>(p, width));
    auto at = [&](int rank, std::int64_t field) {
      return every[static_cast<std::size_t>(rank * width + field)];
    };
    // Offsets of my zeros in the stream: W zeros of ranks owning earlier rows come first; the
    // H zeros of component c start after all W zeros and the H zeros of components < c.
    std::int64_t w_offset = 0, w_total = 0;
    std::vector<std::int64_t> h_before(static_cast<std::size_t>(k), 0),
        h_total(static_cast<std::size_t>(k), 0);
    for (int rank = 0; rank < p; ++rank) {
      w_total += at(rank, 1);
      if (at(rank, 0) < mine[0]) w_offset += at(rank, 1);
      for (std::int64_t c = 0; c < k; ++c) {
        h_total[static_cast<std::size_t>(c)] += at(rank, 3 + c);
        if (at(rank, 2) < mine[2]) h_before[static_cast<std::size_t>(c)] += at(rank, 3 + c);
      }
    }
    rng::NumpyRandomState rs(seed);
    std::int64_t position = 0;  // normals consumed so far
    const auto fill = [&](T& entry, std::int64_t index) {
      rs.discard_normals(static_cast<std::uint64_t>(index - position));
      const double z = rs.standard_normal();
      position = index + 1;
      entry = static_cast<T>(std::abs(static_cast<double>(avg) * z / 100.0));
    };
    std::int64_t index = w_offset;
    for (std::int64_t i = 0; i < wl.size(); ++i)
      if (wl.data()[i] == T(0)) fill(wl.data()[i], index++);
    std::int64_t start = w_total;
    for (std::int64_t c = 0; c < k; ++c) {
      index = start + h_before[static_cast<std::size_t>(c)];
      for (std::int64_t i = 0; i < hl.rows(); ++i)
        if (hl(i, c) == T(0)) fill(hl(i, c), index++);
      start += h_total[static_cast<std::size_t>(c)];
    }
  }
}

template <typename T>
void nndsvd_init(DistProducts<T>& products, Init variant, const DataSummary& data,
                 std::uint32_t seed, DistFactor<T>& w, DistFactor<T>& ht) {
  if (variant != Init::nndsvd && variant != Init::nndsvda && variant != Init::nndsvdar) {
    throw UsageError("nndsvd_init: init '" + to_string(variant) + "' is not an NNDSVD variant");
  }
  const TruncatedSvd<T> svd = randomized_svd(products, w.k(), seed);
  if (w.permuted() || ht.permuted()) {  // nndsvdar fills zeros in item order: work in it
    const TruncatedSvd<T> ordered{svd.u.relaid(svd.u.natural_axis()), svd.s,
                                  svd.v.relaid(svd.v.natural_axis())};
    in_item_order(w, [&](DistFactor<T>& wn) {
      in_item_order(
          ht, [&](DistFactor<T>& hn) { nndsvd_from_svd(ordered, variant, data, seed, wn, hn); });
    });
    return;
  }
  nndsvd_from_svd(svd, variant, data, seed, w, ht);
}

template TruncatedSvd<double> randomized_svd<double>(DistProducts<double>&, std::int64_t,
                                                     std::uint32_t);
template TruncatedSvd<float> randomized_svd<float>(DistProducts<float>&, std::int64_t,
                                                   std::uint32_t);
template void nndsvd_init<double>(DistProducts<double>&, Init, const DataSummary&, std::uint32_t,
                                  DistFactor<double>&, DistFactor<double>&);
template void nndsvd_init<float>(DistProducts<float>&, Init, const DataSummary&, std::uint32_t,
                                 DistFactor<float>&, DistFactor<float>&);
template void nndsvd_from_svd<double>(const TruncatedSvd<double>&, Init, const DataSummary&,
                                      std::uint32_t, DistFactor<double>&, DistFactor<double>&);
template void nndsvd_from_svd<float>(const TruncatedSvd<float>&, Init, const DataSummary&,
                                     std::uint32_t, DistFactor<float>&, DistFactor<float>&);

}  // namespace dnmf
