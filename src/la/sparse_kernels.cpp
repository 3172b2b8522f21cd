#include "dnmf/la/sparse_kernels.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "dnmf/la/blas.hpp"
#include "dnmf/la/numpy_math.hpp"

namespace dnmf::la {
namespace {
template <typename T>
T dot(const T* a, const T* b, std::int64_t k) {
  T s = 0;
  for (std::int64_t c = 0; c < k; ++c) s += a[c] * b[c];
  return s;
}
constexpr double kEps32 = 1.1920928955078125e-07;

std::int64_t panel_rows(std::int64_t rows, std::int64_t cols) {
  return std::min(rows, std::max<std::int64_t>(1, (1 << 15) / std::max<std::int64_t>(cols, 1)));
}

/// Calls f(r0, nr, y) for consecutive row panels of Y = W Ht^T (y is nr x cols).
template <typename T, typename F>
void for_each_wh_panel(std::int64_t rows, std::int64_t cols, std::int64_t k, const T* w,
                       const T* ht, F&& f) {
  if (rows == 0 || cols == 0) return;
  const std::int64_t panel = panel_rows(rows, cols);
  std::vector<T> y(static_cast<std::size_t>(panel * cols));
  for (std::int64_t r0 = 0; r0 < rows; r0 += panel) {
    const std::int64_t nr = std::min(panel, rows - r0);
    gemm(Op::none, Op::trans, nr, cols, k, T(1), w + r0 * k, k, ht, k, T(0), y.data(), cols);
    f(r0, nr, y.data());
  }
}
}  // namespace

template <typename T>
void csr_times_dense(const Csr<T>& x, std::int64_t k, const T* b, T* out) {
  for (std::int64_t i = 0; i < x.rows; ++i) {
    T* o = out + i * k;
    std::fill(o, o + k, T(0));
    for (std::int64_t e = x.indptr[i]; e < x.indptr[i + 1]; ++e) {
      const T v = x.values[e];
      const T* br = b + x.indices[e] * k;
      for (std::int64_t c = 0; c < k; ++c) o[c] += v * br[c];
    }
  }
}

template <typename T>
void csr_transpose_times_dense(const Csr<T>& x, std::int64_t k, const T* b, T* out) {
  std::fill(out, out + x.cols * k, T(0));
  for (std::int64_t i = 0; i < x.rows; ++i) {
    const T* br = b + i * k;
    for (std::int64_t e = x.indptr[i]; e < x.indptr[i + 1]; ++e) {
      const T v = x.values[e];
      T* o = out + x.indices[e] * k;
      for (std::int64_t c = 0; c < k; ++c) o[c] += v * br[c];
    }
  }
}

template <typename T>
void csr_beta_numerator(const Csr<T>& x, std::int64_t k, const T* w, const T* ht, double beta,
                        MuSide side, T* num) {
  const T eps = static_cast<T>(kEps32);
  const std::int64_t out_rows = side == MuSide::w ? x.rows : x.cols;
  std::fill(num, num + out_rows * k, T(0));
  for (std::int64_t i = 0; i < x.rows; ++i) {
    const T* wi = w + i * k;
    for (std::int64_t e = x.indptr[i]; e < x.indptr[i + 1]; ++e) {
      const std::int64_t j = x.indices[e];
      const T* hj = ht + j * k;
      T y = dot(wi, hj, k);
      if (beta < 2.0 && y < eps) y = eps;
      T a;
      if (beta == 1.0) {
        a = x.values[e] / y;
      } else if (beta == 0.0) {
        const T inv = T(1) / y;
        a = inv * inv * x.values[e];
      } else {
        a = numpy_pow(y, beta - 2.0) * x.values[e];
      }
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
void beta_denominator(std::int64_t rows, std::int64_t cols, std::int64_t k, const T* w,
                      const T* ht, double beta, MuSide side, T* den) {
  const std::int64_t out_rows = side == MuSide::w ? rows : cols;
  std::fill(den, den + out_rows * k, T(0));
  const T eps = static_cast<T>(kEps32);
  for_each_wh_panel(rows, cols, k, w, ht, [&](std::int64_t r0, std::int64_t nr, T* y) {
    for (std::int64_t e = 0; e < nr * cols; ++e) {
      const T v = beta < 1.0 && y[e] < eps ? eps : y[e];
      y[e] = numpy_pow(v, beta - 1.0);
    }
    if (side == MuSide::w) {
      gemm(Op::none, Op::none, nr, k, cols, T(1), y, cols, ht, k, T(0), den + r0 * k, k);
    } else {
      gemm(Op::trans, Op::none, cols, k, nr, T(1), y, cols, w + r0 * k, k, T(1), den, k);
    }
  });
}

template <typename T>
double wh_power_sum(std::int64_t rows, std::int64_t cols, std::int64_t k, const T* w,
                    const T* ht, double beta) {
  double s = 0;
  for_each_wh_panel(rows, cols, k, w, ht, [&](std::int64_t, std::int64_t nr, T* y) {
    for (std::int64_t e = 0; e < nr * cols; ++e) s += static_cast<double>(numpy_pow(y[e], beta));
  });
  return s;
}

template <typename T>
DivergenceSums csr_divergence_sums(const Csr<T>& x, std::int64_t k, const T* w, const T* ht,
                                   double beta) {
  DivergenceSums s;
  const T eps = static_cast<T>(kEps32);
  for (std::int64_t i = 0; i < x.rows; ++i) {
    for (std::int64_t e = x.indptr[i]; e < x.indptr[i + 1]; ++e) {
      const T xv = x.values[e];
      if (!(xv > eps)) continue;
      T y = dot(w + i * k, ht + x.indices[e] * k, k);
      if (y < eps) y = eps;
      if (beta == 1.0) {
        s.s1 += static_cast<double>(xv * std::log(xv / y));
        s.s2 += static_cast<double>(xv);
      } else if (beta == 0.0) {
        const T d = xv / y;
        s.s1 += static_cast<double>(d);
        s.s2 += static_cast<double>(std::log(d));
      } else {
        s.s1 += static_cast<double>(numpy_pow(xv, beta));
        s.s2 += static_cast<double>(xv * numpy_pow(y, beta - 1.0));
      }
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
      s.cross += v * static_cast<double>(dot(w + i * k, ht + x.indices[e] * k, k));
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

#define DNMF_INSTANTIATE_SPARSE(T)                                                             \
  template void csr_times_dense<T>(const Csr<T>&, std::int64_t, const T*, T*);               \
  template void csr_transpose_times_dense<T>(const Csr<T>&, std::int64_t, const T*, T*);     \
  template void csr_beta_numerator<T>(const Csr<T>&, std::int64_t, const T*, const T*, double, \
                                      MuSide, T*);                                            \
  template void beta_denominator<T>(std::int64_t, std::int64_t, std::int64_t, const T*,       \
                                    const T*, double, MuSide, T*);                            \
  template double wh_power_sum<T>(std::int64_t, std::int64_t, std::int64_t, const T*,         \
                                  const T*, double);                                          \
  template DivergenceSums csr_divergence_sums<T>(const Csr<T>&, std::int64_t, const T*,       \
                                                 const T*, double);                           \
  template SparseFrobeniusSums csr_frobenius_sums<T>(const Csr<T>&, std::int64_t, const T*,   \
                                                     const T*);                               \
  template BlockStats csr_block_stats<T>(const Csr<T>&);
DNMF_INSTANTIATE_SPARSE(double)
DNMF_INSTANTIATE_SPARSE(float)
#undef DNMF_INSTANTIATE_SPARSE

}  // namespace dnmf::la
