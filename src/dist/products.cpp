#include "dnmf/dist/products.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "dnmf/core/error.hpp"
#include "dnmf/la/blas.hpp"
#include "dnmf/la/kernels.hpp"
#include "dnmf/la/masked_kernels.hpp"
#include "dnmf/la/simd_products.hpp"
#include "dnmf/la/sparse_kernels.hpp"

namespace dnmf {
namespace {
std::vector<std::int64_t> scaled(const std::vector<std::int64_t>& counts, std::int64_t k) {
  std::vector<std::int64_t> out(counts);
  for (auto& c : out) c *= k;
  return out;
}

/// `out` = my owned rows (per `layout`) of the sum over `comm` of every rank's `partial`
/// (k columns): reduce-scattered, or handed over as is when no other rank shares the rows.
template <typename T>
void sum_to_owned(const mpi::Comm& comm, const FactorLayout& layout, std::int64_t k,
                  Matrix<T>& partial, Matrix<T>& out) {
  out.resize(layout.owned.size, k);
  if (comm.size() == 1) {
    std::swap(out, partial);
  } else {
    comm.reduce_scatter_sum(partial.data(), out.data(), scaled(layout.counts, k));
  }
}

/// `in` (rows x k) copied into `storage` with rows padded to whole 64-byte lines and the
/// first row 64-byte aligned, so that product_ab reads it in place instead of packing it for
/// every panel. Returns the first row; `ld` is the padded row length.
template <typename T>
const T* padded(const Matrix<T>& in, std::vector<T>& storage, std::int64_t& ld) {
  constexpr std::int64_t line = 64 / sizeof(T);
  ld = (in.cols() + line - 1) / line * line;
  storage.assign(static_cast<std::size_t>(in.rows() * ld + line), T(0));
  const auto misalign = reinterpret_cast<std::uintptr_t>(storage.data()) % 64;
  T* out = storage.data() + (misalign ? (64 - misalign) / sizeof(T) : 0);
  for (std::int64_t i = 0; i < in.rows(); ++i)
    for (std::int64_t j = 0; j < in.cols(); ++j) out[i * ld + j] = in(i, j);
  return out;
}

/// out = in^T for row-major matrices.
template <typename T>
void transpose(const Matrix<T>& in, Matrix<T>& out) {
  out.resize(in.cols(), in.rows());
  for (std::int64_t i = 0; i < in.rows(); ++i)
    for (std::int64_t j = 0; j < in.cols(); ++j) out(j, i) = in(i, j);
}
}  // namespace

template <typename T>
void DistProducts<T>::one_pass(const DistFactor<T>& ht, DistFactor<T>& w,
                               const std::function<void(Range panel, Matrix<T>& r)>& update,
                               Matrix<T>& xtw, Matrix<T>& wtw) {
  if (!one_pass_possible()) throw InternalError("one_pass: needs PC = 1");
  require_layouts(ht.layout().axis, w.layout().axis);
  const std::int64_t k = ht.k();
  const bool sparse = x_.sparse();
  const Matrix<T>& xl = x_.local();
  const Csr<T>& xs = x_.csr();
  const std::int64_t rows = sparse ? xs.rows : xl.rows(), cols = sparse ? xs.cols : xl.cols();
  const Matrix<T>* hb;
  {
    auto t = timers_->scope(Phase::allgather);
    hb = &ht.block(gathered_);  // Ht_j: all n_features rows (PC = 1)
  }
  // About 1 MiB of X per panel: it stays in cache between its two products.
  const std::int64_t row_bytes =
      sparse ? (xs.nnz() * static_cast<std::int64_t>(sizeof(T) + sizeof(std::int64_t))) /
                   std::max<std::int64_t>(1, rows)
             : cols * static_cast<std::int64_t>(sizeof(T));
  const std::int64_t panel_rows = std::clamp<std::int64_t>(
      (std::int64_t{1} << 20) / std::max<std::int64_t>(1, row_bytes), 32, 4096);
  Matrix<T>& wl = w.local();
  const T* ht_in = hb->data();  // Ht as the dense kernel reads it (padded rows, see padded())
  std::int64_t ht_ld = k;
  if (sparse) {
    partial_.resize(cols, k);  // X^T W (cols x k), accumulated row by row in CSR order
    partial_.fill(T(0));
  } else {
    auto t = timers_->scope(Phase::local_multiply);
    transpose(*hb, ht_t_);  // H_j (k x cols), for product_ab's dot-product form
    ht_in = padded(*hb, ht_pad_, ht_ld);
    wide_.resize(k, cols);  // W^T X, accumulated panel by panel
    wide_.fill(T(0));
  }
  wtw.resize(k, k);
  wtw.fill(T(0));
  const la::SimdPath path = la::best_simd_path();
  for (std::int64_t p0 = 0; p0 < rows; p0 += panel_rows) {
    const std::int64_t pr = std::min(panel_rows, rows - p0);
    const T* xp = sparse ? nullptr : xl.data() + p0 * cols;
    {
      auto t = timers_->scope(Phase::local_multiply);
      panel_.resize(pr, k);  // X_P Ht
      if (sparse) {
        la::product_csr_b(path, pr, xs.indptr.data() + p0, xs.indices.data(), xs.values.data(), k,
                          hb->data(), k, panel_.data(), k);
      } else {
        la::product_ab(path, pr, k, cols, xp, cols, ht_in, ht_ld, panel_.data(), k, ht_t_.data(),
                       cols);
      }
    }
    update(Range{p0, pr}, panel_);
    {
      auto t = timers_->scope(Phase::local_multiply);
      const T* wp = wl.data() + p0 * k;
      if (sparse) {  // X_P^T W_P
        la::product_csrt_b_add(path, pr, xs.indptr.data() + p0, xs.indices.data(), xs.values.data(),
                               k, wp, k, partial_.data(), k);
      } else {  // W_P^T X_P
        la::product_atb_add(path, k, cols, pr, wp, k, xp, cols, wide_.data(), cols);
      }
      la::product_atb_add(path, k, k, pr, wp, k, wp, k, wtw.data(), k);  // W_P^T W_P
    }
  }
  {
    auto t = timers_->scope(Phase::gram);
    w.grid().all().allreduce_sum(wtw.data(), wtw.size());
  }
  if (!sparse) transpose(wide_, partial_);
  auto t = timers_->scope(Phase::reduce_scatter);
  sum_to_owned(x_.grid().col_comm(), ht.layout(), k, partial_, xtw);
}

template <typename T>
void DistProducts<T>::require_layouts(const Axis& cols, const Axis& rows) const {
  if (rows != x_.row_axis() || cols != x_.col_axis()) {
    throw InternalError("DistProducts: a factor's blocks do not follow X's blocks");
  }
}

template <typename T>
void DistProducts<T>::gram(const DistFactor<T>& f, Matrix<T>& g) {
  auto t = timers_->scope(Phase::gram);
  const std::int64_t k = f.k();
  g.resize(k, k);
  la::gram(f.local().rows(), k, T(1), f.local().data(), k, T(0), g.data(), k);
  f.grid().all().allreduce_sum(g.data(), g.size());
}

template <typename T>
void DistProducts<T>::x_times_ht(const DistFactor<T>& ht, const FactorLayout& w_layout,
                                 Matrix<T>& out) {
  const std::int64_t k = ht.k();
  const Matrix<T>& xl = x_.local();
  require_layouts(ht.layout().axis, w_layout.axis);
  const Matrix<T>* hb;
  {
    auto t = timers_->scope(Phase::allgather);
    hb = &ht.block(gathered_);  // Ht_j: |C_j| x k
  }
  {
    auto t = timers_->scope(Phase::local_multiply);
    if (x_.sparse()) {
      partial_.resize(x_.csr().rows, k);
      la::csr_times_dense(x_.csr(), k, hb->data(), partial_.data());
    } else {
      transpose(*hb, ht_t_);  // H_j (k x |C_j|), for product_ab's dot-product form
      partial_.resize(xl.rows(), k);
      la::product_ab(xl.rows(), k, xl.cols(), xl.data(), xl.cols(), hb->data(), k, partial_.data(),
                     k, ht_t_.data(), xl.cols());
    }
  }
  auto t = timers_->scope(Phase::reduce_scatter);
  sum_to_owned(x_.grid().row_comm(), w_layout, k, partial_, out);
}

template <typename T>
void DistProducts<T>::xt_times_w(const DistFactor<T>& w, const FactorLayout& ht_layout,
                                 Matrix<T>& out) {
  const std::int64_t k = w.k();
  const Matrix<T>& xl = x_.local();
  require_layouts(ht_layout.axis, w.layout().axis);
  const Matrix<T>* wb;
  {
    auto t = timers_->scope(Phase::allgather);
    wb = &w.block(gathered_);  // W_i: |R_i| x k
  }
  {
    auto t = timers_->scope(Phase::local_multiply);
    // W_i^T X_ij (k x |C_j|, vectors along X's rows), then transposed.
    if (x_.sparse()) {
      partial_.resize(x_.csr().cols, k);
      la::csr_transpose_times_dense(x_.csr(), k, wb->data(), partial_.data());
    } else {
      wide_.resize(k, xl.cols());
      wide_.fill(T(0));
      la::product_atb_add(k, xl.cols(), xl.rows(), wb->data(), k, xl.data(), xl.cols(),
                          wide_.data(), xl.cols());
      transpose(wide_, partial_);
    }
  }
  auto t = timers_->scope(Phase::reduce_scatter);
  sum_to_owned(x_.grid().col_comm(), ht_layout, k, partial_, out);
}

template <typename T>
double DistProducts<T>::squared_residual(const DistFactor<T>& w, const DistFactor<T>& ht) {
  if (x_.masked()) return 2.0 * masked_divergence(w, ht, 2.0);
  if (x_.sparse()) {
    // ||X||^2 - 2 <X H^T, W> + <W^T W, H H^T>: WH is never formed, not even at the zeros.
    Matrix<T> gw, gh;
    gram(w, gw);
    gram(ht, gh);
    auto t = timers_->scope(Phase::error);
    const Matrix<T>& wb = w.block(gathered_);
    const Matrix<T>& hb = ht.block(other_);
    const la::SparseFrobeniusSums local =
        la::csr_frobenius_sums(x_.csr(), w.k(), wb.data(), hb.data());
    double sums[2] = {local.x_squares, local.cross};
    x_.grid().all().allreduce_sum(sums, 2);
    double grams = 0;
    for (std::int64_t i = 0; i < gw.size(); ++i)
      grams += static_cast<double>(gw.data()[i]) * static_cast<double>(gh.data()[i]);
    // Rounding can make an exact fit slightly negative; scikit-learn would take sqrt of it.
    return std::max(sums[0] + grams - 2.0 * sums[1], 0.0);
  }
  auto t = timers_->scope(Phase::error);
  const Matrix<T>& wb = w.block(gathered_);
  const Matrix<T>& hb = ht.block(other_);
  const Matrix<T>& xl = x_.local();
  const double local =
      la::squared_residual(xl.rows(), xl.cols(), w.k(), xl.data(), xl.cols(), wb.data(), hb.data());
  return x_.grid().all().allreduce_sum(local);
}

template <typename T>
double DistProducts<T>::divergence(const DistFactor<T>& w, const DistFactor<T>& ht, double beta) {
  if (x_.masked()) return masked_divergence(w, ht, beta);
  if (beta == 2.0) return 0.5 * squared_residual(w, ht);
  auto t = timers_->scope(Phase::error);
  const Matrix<T>& wb = w.block(gathered_);
  const Matrix<T>& hb = ht.block(other_);
  const Matrix<T>& xl = x_.local();
  const la::DivergenceSums local =
      x_.sparse() ? la::csr_divergence_sums(x_.csr(), w.k(), wb.data(), hb.data(), beta)
                  : la::divergence_sums(xl.rows(), xl.cols(), w.k(), xl.data(), xl.cols(),
                                        wb.data(), hb.data(), beta);
  const std::int64_t k = w.k();
  // beta = 1 needs sum(W H) over every entry: (column sums of W) . (column sums of Ht).
  std::vector<double> sums(static_cast<std::size_t>(3 + 2 * k), 0.0);
  sums[0] = local.s1;
  sums[1] = local.s2;
  sums[2] = local.s3;
  for (std::int64_t i = 0; i < w.local().rows(); ++i)
    for (std::int64_t c = 0; c < k; ++c) sums[3 + c] += static_cast<double>(w.local()(i, c));
  for (std::int64_t j = 0; j < ht.local().rows(); ++j)
    for (std::int64_t c = 0; c < k; ++c) sums[3 + k + c] += static_cast<double>(ht.local()(j, c));
  x_.grid().all().allreduce_sum(sums.data(), static_cast<std::int64_t>(sums.size()));
  if (beta == 1.0) {
    double sum_wh = 0;
    for (std::int64_t c = 0; c < k; ++c) sum_wh += sums[3 + c] * sums[3 + k + c];
    return sums[0] + (sum_wh - sums[1]);
  }
  if (beta == 0.0) {
    const double size = static_cast<double>(x_.rows()) * static_cast<double>(x_.cols());
    return sums[0] - size - sums[1];
  }
  return (sums[0] - beta * sums[1] + sums[2] * (beta - 1.0)) / (beta * (beta - 1.0));
}

template <typename T>
std::pair<const Matrix<T>*, const Matrix<T>*> DistProducts<T>::gather_both(
    const DistFactor<T>& w, const DistFactor<T>& ht) {
  auto t = timers_->scope(Phase::allgather);
  return {&w.block(gathered_), &ht.block(other_)};
}

template <typename T>
void DistProducts<T>::beta_mu_terms(const DistFactor<T>& w, const DistFactor<T>& ht, double beta,
                                    la::MuSide side, Matrix<T>& num, Matrix<T>& den) {
  if (x_.masked()) {
    masked_mu_terms(w, ht, beta, side, num, den);
    return;
  }
  const std::int64_t k = w.k();
  const bool w_side = side == la::MuSide::w;
  const FactorLayout& mine = w_side ? w.layout() : ht.layout();
  const auto [wb, hb] = gather_both(w, ht);
  const Matrix<T>& xl = x_.local();
  {
    auto t = timers_->scope(Phase::local_multiply);
    const std::int64_t rows = x_.row_range().size, cols = x_.col_range().size;
    const std::int64_t out_rows = w_side ? rows : cols;
    partial_.resize(out_rows, k);
    partial_den_.resize(out_rows, k);
    if (x_.sparse()) {  // the numerator needs WH at the stored entries only; the denominator
                        // involves every entry and is formed panel by panel
      la::csr_beta_numerator(x_.csr(), k, wb->data(), hb->data(), beta, side, partial_.data());
      if (beta != 1.0) {
        la::beta_denominator(rows, cols, k, wb->data(), hb->data(), beta, side,
                             partial_den_.data());
      }
    } else {
      la::beta_mu_products(xl.rows(), xl.cols(), k, xl.data(), xl.cols(), wb->data(), hb->data(),
                           beta, side, partial_.data(), partial_den_.data());
    }
  }
  auto t = timers_->scope(Phase::reduce_scatter);
  const mpi::Comm& comm = w_side ? x_.grid().row_comm() : x_.grid().col_comm();
  sum_to_owned(comm, mine, k, partial_, num);
  if (beta != 1.0) {
    sum_to_owned(comm, mine, k, partial_den_, den);
    return;
  }
  // beta = 1: den[i, c] = sum over the other factor's rows of column c, on every owned row.
  const Matrix<T>& other = w_side ? ht.local() : w.local();
  std::vector<T> colsum(static_cast<std::size_t>(k), T(0));
  for (std::int64_t i = 0; i < other.rows(); ++i)
    for (std::int64_t c = 0; c < k; ++c) colsum[c] += other(i, c);
  x_.grid().all().allreduce_sum(colsum.data(), k);
  if (!w_side)
    for (auto& v : colsum)
      if (v == T(0)) v = T(1);
  den.resize(mine.owned.size, k);
  for (std::int64_t i = 0; i < den.rows(); ++i)
    for (std::int64_t c = 0; c < k; ++c) den(i, c) = colsum[c];
}

template <typename T>
double DistProducts<T>::masked_divergence(const DistFactor<T>& w, const DistFactor<T>& ht,
                                          double beta) {
  auto t = timers_->scope(Phase::error);
  const Matrix<T>& wb = w.block(gathered_);
  const Matrix<T>& hb = ht.block(other_);
  const Matrix<T>& xl = x_.local();
  const la::MaskedSums local =
      x_.observed() == Observed::holes
          ? la::csr_holes_divergence_sums(x_.csr(), x_.holes(), w.k(), wb.data(), hb.data(), beta)
      : x_.sparse() ? la::csr_masked_divergence_sums(x_.csr(), w.k(), wb.data(), hb.data(), beta)
                    : la::masked_divergence_sums(xl.rows(), xl.cols(), w.k(), xl.data(), xl.cols(),
                                                 x_.mask().data(), wb.data(), hb.data(), beta);
  double sums[5] = {local.s1, local.s2, local.s3, local.observed, local.squares};
  x_.grid().all().allreduce_sum(sums, 5);
  return la::masked_divergence({sums[0], sums[1], sums[2], sums[3], sums[4]}, beta);
}

template <typename T>
void DistProducts<T>::masked_mu_terms(const DistFactor<T>& w, const DistFactor<T>& ht, double beta,
                                      la::MuSide side, Matrix<T>& num, Matrix<T>& den) {
  const std::int64_t k = w.k();
  const bool w_side = side == la::MuSide::w;
  const auto [wb, hb] = gather_both(w, ht);
  {
    auto t = timers_->scope(Phase::local_multiply);
    const std::int64_t rows = x_.row_range().size, cols = x_.col_range().size;
    const std::int64_t out_rows = w_side ? rows : cols;
    partial_.resize(out_rows, k);
    partial_den_.resize(out_rows, k);
    if (x_.observed() == Observed::holes) {
      la::csr_holes_mu_products(x_.csr(), x_.holes(), k, wb->data(), hb->data(), beta, side,
                                partial_.data(), partial_den_.data());
    } else if (x_.sparse()) {  // WH only at the stored (= observed) entries
      la::csr_masked_mu_products(x_.csr(), k, wb->data(), hb->data(), beta, side, partial_.data(),
                                 partial_den_.data());
    } else {
      const Matrix<T>& xl = x_.local();
      la::masked_mu_products(rows, cols, k, xl.data(), xl.cols(), x_.mask().data(), wb->data(),
                             hb->data(), beta, side, partial_.data(), partial_den_.data());
    }
  }
  auto t = timers_->scope(Phase::reduce_scatter);
  const mpi::Comm& comm = w_side ? x_.grid().row_comm() : x_.grid().col_comm();
  const FactorLayout& mine = w_side ? w.layout() : ht.layout();
  sum_to_owned(comm, mine, k, partial_, num);
  sum_to_owned(comm, mine, k, partial_den_, den);
}

template <typename T>
void DistProducts<T>::masked_normal_equations(const DistFactor<T>& w, const DistFactor<T>& ht,
                                              la::MuSide side, Matrix<T>& grams, Matrix<T>& rhs) {
  if (!x_.masked()) throw InternalError("masked_normal_equations: X has no mask");
  const std::int64_t k = w.k();
  const bool w_side = side == la::MuSide::w;
  const auto [wb, hb] = gather_both(w, ht);
  {
    auto t = timers_->scope(Phase::local_multiply);
    const std::int64_t rows = x_.row_range().size, cols = x_.col_range().size;
    const std::int64_t out_rows = w_side ? rows : cols;
    partial_den_.resize(out_rows, k * k);
    partial_.resize(out_rows, k);
    if (x_.observed() == Observed::holes) {
      la::csr_holes_normal_equations(x_.csr(), x_.holes(), k, wb->data(), hb->data(), side,
                                     partial_den_.data(), partial_.data());
    } else if (x_.sparse()) {
      la::csr_masked_normal_equations(x_.csr(), k, wb->data(), hb->data(), side,
                                      partial_den_.data(), partial_.data());
    } else {
      const Matrix<T>& xl = x_.local();
      la::masked_normal_equations(rows, cols, k, xl.data(), xl.cols(), x_.mask().data(), wb->data(),
                                  hb->data(), side, partial_den_.data(), partial_.data());
    }
  }
  auto t = timers_->scope(Phase::reduce_scatter);
  const mpi::Comm& comm = w_side ? x_.grid().row_comm() : x_.grid().col_comm();
  const FactorLayout& mine = w_side ? w.layout() : ht.layout();
  sum_to_owned(comm, mine, k * k, partial_den_, grams);
  sum_to_owned(comm, mine, k, partial_, rhs);
}

template class DistProducts<double>;
template class DistProducts<float>;

}  // namespace dnmf
