#include "dnmf/la/masked_kernels.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "beta_entries.hpp"
#include "dnmf/la/simd_products.hpp"
#include "dnmf/la/sparse_kernels.hpp"

namespace dnmf::la {
namespace {
using detail::row_dot;

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

template <typename T>
void csr_holes_mu_products(const Csr<T>& x, const Csr<T>& holes, std::int64_t k, const T* w,
                           const T* ht, double beta, MuSide side, T* num, T* den) {
  const bool w_side = side == MuSide::w;
  const std::int64_t out_rows = w_side ? x.rows : x.cols;
  // Numerator: X's stored entries (the holes are not among them).
  if (beta == 2.0) {
    if (w_side) {
      csr_times_dense(x, k, ht, num);
    } else {
      csr_transpose_times_dense(x, k, w, num);
    }
  } else {
    csr_beta_numerator(x, k, w, ht, beta, side, num);
  }
  // Denominator over every entry of the block ...
  if (beta == 1.0) {  // M's all-ones part: the other factor's column sums over the block
    const T* other = w_side ? ht : w;
    const std::int64_t n_other = w_side ? x.cols : x.rows;
    std::vector<T> colsum(static_cast<std::size_t>(k), T(0));
    for (std::int64_t r = 0; r < n_other; ++r)
      for (std::int64_t c = 0; c < k; ++c) colsum[c] += other[r * k + c];
    for (std::int64_t r = 0; r < out_rows; ++r)
      for (std::int64_t c = 0; c < k; ++c) den[r * k + c] = colsum[c];
  } else {
    beta_denominator(x.rows, x.cols, k, w, ht, beta, side, den);
  }
  // ... less the holes' share.
  for (std::int64_t i = 0; i < holes.rows; ++i) {
    const T* wi = w + i * k;
    for (std::int64_t e = holes.indptr[i]; e < holes.indptr[i + 1]; ++e) {
      const std::int64_t j = holes.indices[e];
      const T* hj = ht + j * k;
      const T b = masked_denominator(row_dot(wi, hj, k), beta);
      const T* v = w_side ? hj : wi;
      T* od = den + (w_side ? i : j) * k;
      for (std::int64_t c = 0; c < k; ++c) od[c] -= b * v[c];
    }
  }
}

template <typename T>
MaskedSums csr_holes_divergence_sums(const Csr<T>& x, const Csr<T>& holes, std::int64_t k,
                                     const T* w, const T* ht, double beta) {
  MaskedSums s;
  s.observed =
      static_cast<double>(x.rows) * static_cast<double>(x.cols) - static_cast<double>(holes.nnz());
  if (beta == 2.0) {  // ||X||^2 - 2 <X, WH> + <W^T W, H^T H> over the block, less Y^2 at holes
    const SparseFrobeniusSums f = csr_frobenius_sums(x, k, w, ht);
    std::vector<double> gw(static_cast<std::size_t>(k * k), 0.0), gh(gw.size(), 0.0);
    for (std::int64_t i = 0; i < x.rows; ++i)
      for (std::int64_t a = 0; a < k; ++a)
        for (std::int64_t b = 0; b < k; ++b)
          gw[a * k + b] += static_cast<double>(w[i * k + a]) * static_cast<double>(w[i * k + b]);
    for (std::int64_t j = 0; j < x.cols; ++j)
      for (std::int64_t a = 0; a < k; ++a)
        for (std::int64_t b = 0; b < k; ++b)
          gh[a * k + b] += static_cast<double>(ht[j * k + a]) * static_cast<double>(ht[j * k + b]);
    double grams = 0;
    for (std::size_t e = 0; e < gw.size(); ++e) grams += gw[e] * gh[e];
    s.squares = f.x_squares - 2.0 * f.cross + grams;
    for (std::int64_t i = 0; i < holes.rows; ++i)
      for (std::int64_t e = holes.indptr[i]; e < holes.indptr[i + 1]; ++e) {
        const double y = static_cast<double>(row_dot(w + i * k, ht + holes.indices[e] * k, k));
        s.squares -= y * y;
      }
    return s;
  }
  const DivergenceSums d = csr_divergence_sums(x, k, w, ht, beta);
  s.s1 = d.s1;
  s.s2 = d.s2;
  if (beta == 1.0) {  // sum of Y over the block: (column sums of W) . (column sums of Ht)
    std::vector<double> cw(static_cast<std::size_t>(k), 0.0), ch(cw.size(), 0.0);
    for (std::int64_t i = 0; i < x.rows; ++i)
      for (std::int64_t c = 0; c < k; ++c) cw[c] += static_cast<double>(w[i * k + c]);
    for (std::int64_t j = 0; j < x.cols; ++j)
      for (std::int64_t c = 0; c < k; ++c) ch[c] += static_cast<double>(ht[j * k + c]);
    for (std::int64_t c = 0; c < k; ++c) s.s3 += cw[c] * ch[c];
  } else if (beta != 0.0) {
    s.s3 = wh_power_sum(x.rows, x.cols, k, w, ht, beta);
  }
  if (beta != 0.0)
    for (std::int64_t i = 0; i < holes.rows; ++i)
      for (std::int64_t e = holes.indptr[i]; e < holes.indptr[i + 1]; ++e) {
        const T y = row_dot(w + i * k, ht + holes.indices[e] * k, k);
        s.s3 -= beta == 1.0 ? static_cast<double>(y) : static_cast<double>(numpy_pow(y, beta));
      }
  return s;
}

template <typename T>
void csr_holes_normal_equations(const Csr<T>& x, const Csr<T>& holes, std::int64_t k, const T* w,
                                const T* ht, MuSide side, T* grams, T* rhs) {
  const bool w_side = side == MuSide::w;
  const std::int64_t out_rows = w_side ? x.rows : x.cols;
  if (w_side) {
    csr_times_dense(x, k, ht, rhs);
  } else {
    csr_transpose_times_dense(x, k, w, rhs);
  }
  const T* other = w_side ? ht : w;
  const std::int64_t n_other = w_side ? x.cols : x.rows;
  std::vector<T> g(static_cast<std::size_t>(k * k), T(0));
  for (std::int64_t r = 0; r < n_other; ++r) add_outer(k, other + r * k, g.data());
  for (std::int64_t r = 0; r < out_rows; ++r) std::copy(g.begin(), g.end(), grams + r * k * k);
  for (std::int64_t i = 0; i < holes.rows; ++i)
    for (std::int64_t e = holes.indptr[i]; e < holes.indptr[i + 1]; ++e) {
      const std::int64_t j = holes.indices[e];
      const T* v = w_side ? ht + j * k : w + i * k;
      T* gr = grams + (w_side ? i : j) * k * k;
      for (std::int64_t a = 0; a < k; ++a)
        for (std::int64_t b = 0; b < k; ++b) gr[a * k + b] -= v[a] * v[b];
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
                                               MuSide, T*, T*);                                    \
  template void csr_holes_mu_products<T>(const Csr<T>&, const Csr<T>&, std::int64_t, const T*,     \
                                         const T*, double, MuSide, T*, T*);                        \
  template MaskedSums csr_holes_divergence_sums<T>(const Csr<T>&, const Csr<T>&, std::int64_t,     \
                                                   const T*, const T*, double);                    \
  template void csr_holes_normal_equations<T>(const Csr<T>&, const Csr<T>&, std::int64_t,          \
                                              const T*, const T*, MuSide, T*, T*);
DNMF_INSTANTIATE_MASKED(double)
DNMF_INSTANTIATE_MASKED(float)
#undef DNMF_INSTANTIATE_MASKED

}  // namespace dnmf::la
