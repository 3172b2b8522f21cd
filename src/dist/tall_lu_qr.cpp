#include "dnmf/dist/tall_lu_qr.hpp"

#include <algorithm>
#include <vector>

#include "dnmf/core/error.hpp"
#include "dnmf/scalapack/scalapack.hpp"

namespace dnmf {

template <typename T>
DistFactor<T> lu_permuted_l(const TallProxy& proxy, const DistFactor<T>& a) {
  const std::int64_t m = a.global_rows(), c = a.k(), kk = std::min(m, c);
  const DistFactor<T> au = proxy.uniform(a);
  BlockCyclic<T> bc = proxy.to_copy(au.local(), c, TallProxy::Blocks::square);
  std::vector<int> ipiv;
  // info > 0 means an exactly zero pivot (U singular): the factorization is still complete and
  // L is what we need, as scipy's lu, which does not fail there either.
  scalapack::getrf(m, c, bc.a.data(), 0, 0, bc.desc, ipiv);
  const std::int64_t ld = proxy.copy_ld();
  for (std::int64_t l = 0; l < proxy.copy_rows(); ++l) {
    const std::int64_t g = proxy.copy_row(l);
    for (std::int64_t j = g; j < kk; ++j) bc.a[l + j * ld] = j == g ? T(1) : T(0);
  }
  scalapack::apply_row_pivots(scalapack::PivotDirection::backward, kk, kk, bc.a.data(), 0, bc.desc,
                              ipiv);
  DistFactor<T> out = au.with_columns(kk);  // the proxy's layout, rows in the same order
  proxy.from_copy(bc, kk, out.local());
  return out.relaid(a.layout().axis);
}

template <typename T>
void qr_in_place(const TallProxy& proxy, DistFactor<T>& a, Matrix<T>* r) {
  const std::int64_t m = a.global_rows(), c = a.k();
  if (m < c) throw InternalError("nndsvd: QR of a wide factor");
  DistFactor<T> au = proxy.uniform(a);
  BlockCyclic<T> bc = proxy.to_copy(au.local(), c, TallProxy::Blocks::narrow);
  std::vector<T> tau;
  scalapack::geqrf(m, c, bc.a.data(), 0, 0, bc.desc, tau);
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
  scalapack::orgqr(m, c, c, bc.a.data(), 0, 0, bc.desc, tau);
  proxy.from_copy(bc, c, au.local());
  a = au.relaid(a.layout().axis);
}

template DistFactor<double> lu_permuted_l<double>(const TallProxy&, const DistFactor<double>&);
template DistFactor<float> lu_permuted_l<float>(const TallProxy&, const DistFactor<float>&);
template void qr_in_place<double>(const TallProxy&, DistFactor<double>&, Matrix<double>*);
template void qr_in_place<float>(const TallProxy&, DistFactor<float>&, Matrix<float>*);

}  // namespace dnmf
