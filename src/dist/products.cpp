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
    partial_.resize(xl.rows(), k);
    la::gemm(la::Op::none, la::Op::none, xl.rows(), k, xl.cols(), T(1), xl.data(), xl.cols(),
             gathered_.data(), k, T(0), partial_.data(), k);
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
    partial_.resize(xl.cols(), k);
    la::gemm(la::Op::trans, la::Op::none, xl.cols(), k, xl.rows(), T(1), xl.data(), xl.cols(),
             gathered_.data(), k, T(0), partial_.data(), k);
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
