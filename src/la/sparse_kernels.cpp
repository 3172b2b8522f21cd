#include "dnmf/la/sparse_kernels.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "beta_entries.hpp"
#include "dnmf/la/blas.hpp"
#include "dnmf/la/numpy_math.hpp"
#include "dnmf/la/simd_products.hpp"

namespace dnmf::la {

template <typename T>
void csr_times_dense(const Csr<T>& x, std::int64_t k, const T* b, T* out) {
  product_csr_b(best_simd_path(), x.rows, x.indptr.data(), x.indices.data(), x.values.data(), k, b,
                k, out, k);
}

template <typename T>
void csr_transpose_times_dense(const Csr<T>& x, std::int64_t k, const T* b, T* out) {
  std::fill(out, out + x.cols * k, T(0));
  product_csrt_b_add(best_simd_path(), x.rows, x.indptr.data(), x.indices.data(), x.values.data(),
                     k, b, k, out, k);
}

template <typename T>
void csr_beta_numerator(const Csr<T>& x, std::int64_t k, const T* w, const T* ht, double beta,
                        MuSide side, T* num) {
  const std::int64_t out_rows = side == MuSide::w ? x.rows : x.cols;
  std::fill(num, num + out_rows * k, T(0));
  for (std::int64_t i = 0; i < x.rows; ++i) {
    const T* wi = w + i * k;
    for (std::int64_t e = x.indptr[i]; e < x.indptr[i + 1]; ++e) {
      const std::int64_t j = x.indices[e];
      const T* hj = ht + j * k;
      const T a = detail::numerator_entry(x.values[e], detail::row_dot(wi, hj, k), beta);
      if (side == MuSide::w) {
        T* o = num + i * k;
        for (std::int64_t c = 0; c < k; ++c) o[c] += a * hj[c];
      } else {
        T* o = num + j * k;
        for (std::int64_t c = 0; c < k; ++c) o[c] += a * wi[c];
      }
    }
  }
}

template <typename T>
void beta_denominator(std::int64_t rows, std::int64_t cols, std::int64_t k, const T* w, const T* ht,
                      double beta, MuSide side, T* den) {
  const std::int64_t out_rows = side == MuSide::w ? rows : cols;
  std::fill(den, den + out_rows * k, T(0));
  detail::for_each_wh_panel(rows, cols, k, w, ht, [&](std::int64_t r0, std::int64_t nr, T* y) {
    for (std::int64_t e = 0; e < nr * cols; ++e) y[e] = detail::denominator_entry(y[e], beta);
    if (side == MuSide::w) {
      gemm(Op::none, Op::none, nr, k, cols, T(1), y, cols, ht, k, T(0), den + r0 * k, k);
    } else {
      gemm(Op::trans, Op::none, cols, k, nr, T(1), y, cols, w + r0 * k, k, T(1), den, k);
    }
  });
}

template <typename T>
double wh_power_sum(std::int64_t rows, std::int64_t cols, std::int64_t k, const T* w, const T* ht,
                    double beta) {
  double s = 0;
  detail::for_each_wh_panel(rows, cols, k, w, ht, [&](std::int64_t, std::int64_t nr, T* y) {
    for (std::int64_t e = 0; e < nr * cols; ++e) s += static_cast<double>(numpy_pow(y[e], beta));
  });
  return s;
}

template <typename T>
DivergenceSums csr_divergence_sums(const Csr<T>& x, std::int64_t k, const T* w, const T* ht,
                                   double beta) {
  DivergenceSums s;
  for (std::int64_t i = 0; i < x.rows; ++i) {
    for (std::int64_t e = x.indptr[i]; e < x.indptr[i + 1]; ++e) {
      const T xv = x.values[e];
      if (!(xv > static_cast<T>(detail::kEps32))) continue;  // skip the dot product too
      detail::add_divergence_entry(s, xv, detail::row_dot(w + i * k, ht + x.indices[e] * k, k),
                                   beta);
    }
  }
  if (beta != 1.0 && beta != 0.0) s.s3 = wh_power_sum(x.rows, x.cols, k, w, ht, beta);
  return s;
}

template <typename T>
SparseFrobeniusSums csr_frobenius_sums(const Csr<T>& x, std::int64_t k, const T* w, const T* ht) {
  SparseFrobeniusSums s;
  for (std::int64_t i = 0; i < x.rows; ++i) {
    for (std::int64_t e = x.indptr[i]; e < x.indptr[i + 1]; ++e) {
      const double v = static_cast<double>(x.values[e]);
      s.x_squares += v * v;
      s.cross += v * static_cast<double>(detail::row_dot(w + i * k, ht + x.indices[e] * k, k));
    }
  }
  return s;
}

template <typename T>
BlockStats csr_block_stats(const Csr<T>& x) {
  BlockStats s = block_stats(x.nnz(), x.values.data());
  if (x.nnz() < x.rows * x.cols) s.min = std::min(s.min, 0.0);  // implicit zeros
  return s;
}

#define DNMF_INSTANTIATE_SPARSE(T)                                                                \
  template void csr_times_dense<T>(const Csr<T>&, std::int64_t, const T*, T*);                    \
  template void csr_transpose_times_dense<T>(const Csr<T>&, std::int64_t, const T*, T*);          \
  template void csr_beta_numerator<T>(const Csr<T>&, std::int64_t, const T*, const T*, double,    \
                                      MuSide, T*);                                                \
  template void beta_denominator<T>(std::int64_t, std::int64_t, std::int64_t, const T*, const T*, \
                                    double, MuSide, T*);                                          \
  template double wh_power_sum<T>(std::int64_t, std::int64_t, std::int64_t, const T*, const T*,   \
                                  double);                                                        \
  template DivergenceSums csr_divergence_sums<T>(const Csr<T>&, std::int64_t, const T*, const T*, \
                                                 double);                                         \
  template SparseFrobeniusSums csr_frobenius_sums<T>(const Csr<T>&, std::int64_t, const T*,       \
                                                     const T*);                                   \
  template BlockStats csr_block_stats<T>(const Csr<T>&);
DNMF_INSTANTIATE_SPARSE(double)
DNMF_INSTANTIATE_SPARSE(float)
#undef DNMF_INSTANTIATE_SPARSE

}  // namespace dnmf::la
