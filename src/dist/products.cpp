#include "dnmf/dist/products.hpp"

#include "dnmf/la/blas.hpp"
#include "dnmf/la/kernels.hpp"

namespace dnmf {
namespace {
std::vector<std::int64_t> scaled(const std::vector<std::int64_t>& counts, std::int64_t k) {
  std::vector<std::int64_t> out(counts);
  for (auto& c : out) c *= k;
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
  {
    auto t = timers_->scope(Phase::allgather);
    ht.gather_block(gathered_);  // Ht_j: |C_j| x k
  }
  {
    auto t = timers_->scope(Phase::local_multiply);
    // OpenBLAS is markedly faster producing the short-and-wide k x |R_i| result (Ht_j^T X_ij^T)
    // than the tall |R_i| x k one, so compute that and transpose the small result.
    wide_.resize(k, xl.rows());
    la::gemm(la::Op::trans, la::Op::trans, k, xl.rows(), xl.cols(), T(1), gathered_.data(), k,
             xl.data(), xl.cols(), T(0), wide_.data(), xl.rows());
    transpose(wide_, partial_);
  }
  auto t = timers_->scope(Phase::reduce_scatter);
  out.resize(w_layout.owned.size, k);
  if (x_.grid().pc() == 1) {
    out = partial_;
  } else {
    x_.grid().row_comm().reduce_scatter_sum(partial_.data(), out.data(),
                                            scaled(w_layout.counts, k));
  }
}

template <typename T>
void DistProducts<T>::xt_times_w(const DistFactor<T>& w, const FactorLayout& ht_layout,
                                 Matrix<T>& out) {
  const std::int64_t k = w.k();
  const Matrix<T>& xl = x_.local();
  {
    auto t = timers_->scope(Phase::allgather);
    w.gather_block(gathered_);  // W_i: |R_i| x k
  }
  {
    auto t = timers_->scope(Phase::local_multiply);
    // W_i^T X_ij (k x |C_j|), then transposed: the fast orientation, as in x_times_ht.
    wide_.resize(k, xl.cols());
    la::gemm(la::Op::trans, la::Op::none, k, xl.cols(), xl.rows(), T(1), gathered_.data(), k,
             xl.data(), xl.cols(), T(0), wide_.data(), xl.cols());
    transpose(wide_, partial_);
  }
  auto t = timers_->scope(Phase::reduce_scatter);
  out.resize(ht_layout.owned.size, k);
  if (x_.grid().pr() == 1) {
    out = partial_;
  } else {
    x_.grid().col_comm().reduce_scatter_sum(partial_.data(), out.data(),
                                            scaled(ht_layout.counts, k));
  }
}

template <typename T>
double DistProducts<T>::squared_residual(const DistFactor<T>& w, const DistFactor<T>& ht) {
  auto t = timers_->scope(Phase::error);
  w.gather_block(gathered_);
  ht.gather_block(other_);
  const Matrix<T>& xl = x_.local();
  const double local = la::squared_residual(xl.rows(), xl.cols(), w.k(), xl.data(), xl.cols(),
                                            gathered_.data(), other_.data());
  return x_.grid().all().allreduce_sum(local);
}

template class DistProducts<double>;
template class DistProducts<float>;

}  // namespace dnmf
