#include "dnmf/la/masked_kernels.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "beta_entries.hpp"
#include "dnmf/la/simd_products.hpp"

namespace dnmf::la {
namespace {

template <typename T>
T row_dot(const T* a, const T* b, std::int64_t k) {
  T s = 0;
  for (std::int64_t c = 0; c < k; ++c) s += a[c] * b[c];
  return s;
}

/// A's entry at an observed position.
template <typename T>
T masked_numerator(T x, T y, double beta) {
  return beta == 2.0 ? x : detail::numerator_entry(x, y, beta);
}

/// B's entry at an observed position.
template <typename T>
T masked_denominator(T y, double beta) {
  if (beta == 2.0) return y;
  if (beta == 1.0) return T(1);
  return detail::denominator_entry(y, beta);
}

/// Adds one observed entry to the sums.
template <typename T>
void add_masked_entry(MaskedSums& s, T x, T y, double beta) {
  s.observed += 1.0;
  if (beta == 2.0) {
    const double d = static_cast<double>(x - y);
    s.squares += d * d;
    return;
  }
  if (beta == 1.0) {
    s.s3 += static_cast<double>(y);
  } else if (beta != 0.0) {
    s.s3 += static_cast<double>(numpy_pow(y, beta));
  }
  DivergenceSums d;
  detail::add_divergence_entry(d, x, y, beta);
  s.s1 += d.s1;
  s.s2 += d.s2;
}

/// g += a a^T (k x k).
template <typename T>
void add_outer(std::int64_t k, const T* a, T* g) {
  for (std::int64_t r = 0; r < k; ++r) {
    const T ar = a[r];
    if (ar == T(0)) continue;
    T* gr = g + r * k;
    for (std::int64_t c = 0; c < k; ++c) gr[c] += ar * a[c];
  }
}

}  // namespace

template <typename T>
void masked_mu_products(std::int64_t rows, std::int64_t cols, std::int64_t k, const T* x,
                        std::int64_t ldx, const std::uint8_t* mask, const T* w, const T* ht,
                        double beta, MuSide side, T* num, T* den) {
  const std::int64_t out_rows = side == MuSide::w ? rows : cols;
  std::fill(num, num + out_rows * k, T(0));
  std::fill(den, den + out_rows * k, T(0));
  const std::vector<T> h = detail::transposed(cols, k, ht);  // H (k x cols)
  std::vector<T> b, num_t, den_t;
  if (side == MuSide::h) {
    num_t.assign(static_cast<std::size_t>(k * cols), T(0));
    den_t.assign(num_t.size(), T(0));
  }
  detail::for_each_wh_panel(rows, cols, k, w, ht, [&](std::int64_t r0, std::int64_t nr, T* a) {
    b.resize(static_cast<std::size_t>(nr * cols));
    for (std::int64_t i = 0; i < nr; ++i) {
      const T* xr = x + (r0 + i) * ldx;
      const std::uint8_t* mr = mask + (r0 + i) * cols;
      T* ar = a + i * cols;
      T* br = b.data() + i * cols;
      for (std::int64_t j = 0; j < cols; ++j) {
        if (mr[j]) {
          br[j] = masked_denominator(ar[j], beta);
          ar[j] = masked_numerator(xr[j], ar[j], beta);
        } else {
          ar[j] = br[j] = T(0);
        }
      }
    }
    if (side == MuSide::w) {
      product_ab(nr, k, cols, a, cols, ht, k, num + r0 * k, k, h.data(), cols);
      product_ab(nr, k, cols, b.data(), cols, ht, k, den + r0 * k, k, h.data(), cols);
    } else {
      product_atb_add(k, cols, nr, w + r0 * k, k, a, cols, num_t.data(), cols);
      product_atb_add(k, cols, nr, w + r0 * k, k, b.data(), cols, den_t.data(), cols);
    }
  });
  if (side == MuSide::h) {
    for (std::int64_t c = 0; c < k; ++c)
      for (std::int64_t j = 0; j < cols; ++j) {
        num[j * k + c] = num_t[c * cols + j];
        den[j * k + c] = den_t[c * cols + j];
      }
  }
}

template <typename T>
void csr_masked_mu_products(const Csr<T>& x, std::int64_t k, const T* w, const T* ht, double beta,
                            MuSide side, T* num, T* den) {
  const std::int64_t out_rows = side == MuSide::w ? x.rows : x.cols;
  std::fill(num, num + out_rows * k, T(0));
  std::fill(den, den + out_rows * k, T(0));
  for (std::int64_t i = 0; i < x.rows; ++i) {
    const T* wi = w + i * k;
    for (std::int64_t e = x.indptr[i]; e < x.indptr[i + 1]; ++e) {
      const std::int64_t j = x.indices[e];
      const T* hj = ht + j * k;
      const T y = row_dot(wi, hj, k);
      const T a = masked_numerator(x.values[e], y, beta);
      const T bb = masked_denominator(y, beta);
      const T* v = side == MuSide::w ? hj : wi;
      T* on = num + (side == MuSide::w ? i : j) * k;
      T* od = den + (side == MuSide::w ? i : j) * k;
      for (std::int64_t c = 0; c < k; ++c) {
        on[c] += a * v[c];
        od[c] += bb * v[c];
      }
    }
  }
}

template <typename T>
MaskedSums masked_divergence_sums(std::int64_t rows, std::int64_t cols, std::int64_t k, const T* x,
                                  std::int64_t ldx, const std::uint8_t* mask, const T* w,
                                  const T* ht, double beta) {
  MaskedSums s;
  detail::for_each_wh_panel(rows, cols, k, w, ht, [&](std::int64_t r0, std::int64_t nr, T* y) {
    for (std::int64_t i = 0; i < nr; ++i) {
      const T* xr = x + (r0 + i) * ldx;
      const std::uint8_t* mr = mask + (r0 + i) * cols;
      const T* yr = y + i * cols;
      for (std::int64_t j = 0; j < cols; ++j)
        if (mr[j]) add_masked_entry(s, xr[j], yr[j], beta);
    }
  });
  return s;
}

template <typename T>
MaskedSums csr_masked_divergence_sums(const Csr<T>& x, std::int64_t k, const T* w, const T* ht,
                                      double beta) {
  MaskedSums s;
  for (std::int64_t i = 0; i < x.rows; ++i)
    for (std::int64_t e = x.indptr[i]; e < x.indptr[i + 1]; ++e)
      add_masked_entry(s, x.values[e], row_dot(w + i * k, ht + x.indices[e] * k, k), beta);
  return s;
}

double masked_divergence(const MaskedSums& s, double beta) {
  if (beta == 2.0) return 0.5 * s.squares;
  if (beta == 1.0) return s.s1 + (s.s3 - s.s2);
  if (beta == 0.0) return s.s1 - s.observed - s.s2;
  return (s.s1 - beta * s.s2 + s.s3 * (beta - 1.0)) / (beta * (beta - 1.0));
}

template <typename T>
void masked_normal_equations(std::int64_t rows, std::int64_t cols, std::int64_t k, const T* x,
                             std::int64_t ldx, const std::uint8_t* mask, const T* w, const T* ht,
                             MuSide side, T* grams, T* rhs) {
  const std::int64_t out_rows = side == MuSide::w ? rows : cols;
  std::fill(grams, grams + out_rows * k * k, T(0));
  std::fill(rhs, rhs + out_rows * k, T(0));
  for (std::int64_t i = 0; i < rows; ++i) {
    const T* wi = w + i * k;
    for (std::int64_t j = 0; j < cols; ++j) {
      if (!mask[i * cols + j]) continue;
      const T xv = x[i * ldx + j];
      const std::int64_t o = side == MuSide::w ? i : j;
      const T* v = side == MuSide::w ? ht + j * k : wi;
      add_outer(k, v, grams + o * k * k);
      T* r = rhs + o * k;
      for (std::int64_t c = 0; c < k; ++c) r[c] += xv * v[c];
    }
  }
}

template <typename T>
void csr_masked_normal_equations(const Csr<T>& x, std::int64_t k, const T* w, const T* ht,
                                 MuSide side, T* grams, T* rhs) {
  const std::int64_t out_rows = side == MuSide::w ? x.rows : x.cols;
  std::fill(grams, grams + out_rows * k * k, T(0));
  std::fill(rhs, rhs + out_rows * k, T(0));
  for (std::int64_t i = 0; i < x.rows; ++i)
    for (std::int64_t e = x.indptr[i]; e < x.indptr[i + 1]; ++e) {
      const std::int64_t j = x.indices[e];
      const std::int64_t o = side == MuSide::w ? i : j;
      const T* v = side == MuSide::w ? ht + j * k : w + i * k;
      add_outer(k, v, grams + o * k * k);
      T* r = rhs + o * k;
      for (std::int64_t c = 0; c < k; ++c) r[c] += x.values[e] * v[c];
    }
}

#define DNMF_INSTANTIATE_MASKED(T)                                                                 \
  template void masked_mu_products<T>(std::int64_t, std::int64_t, std::int64_t, const T*,          \
                                      std::int64_t, const std::uint8_t*, const T*, const T*,       \
                                      double, MuSide, T*, T*);                                     \
  template void csr_masked_mu_products<T>(const Csr<T>&, std::int64_t, const T*, const T*, double, \
                                          MuSide, T*, T*);                                         \
  template MaskedSums masked_divergence_sums<T>(std::int64_t, std::int64_t, std::int64_t,          \
                                                const T*, std::int64_t, const std::uint8_t*,       \
                                                const T*, const T*, double);                       \
  template MaskedSums csr_masked_divergence_sums<T>(const Csr<T>&, std::int64_t, const T*,         \
                                                    const T*, double);                             \
  template void masked_normal_equations<T>(std::int64_t, std::int64_t, std::int64_t, const T*,     \
                                           std::int64_t, const std::uint8_t*, const T*, const T*,  \
                                           MuSide, T*, T*);                                        \
  template void csr_masked_normal_equations<T>(const Csr<T>&, std::int64_t, const T*, const T*,    \
                                               MuSide, T*, T*);
DNMF_INSTANTIATE_MASKED(double)
DNMF_INSTANTIATE_MASKED(float)
#undef DNMF_INSTANTIATE_MASKED

}  // namespace dnmf::la
