#include "dnmf/la/kernels.hpp"

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
double squared_residual(std::int64_t rows, std::int64_t cols, std::int64_t k, const T* x,
                        std::int64_t ldx, const T* w, const T* ht) {
  if (rows == 0 || cols == 0) return 0.0;
  // Panels of about 256 KiB keep the product and the matching rows of X in cache.
  const std::int64_t panel = std::max<std::int64_t>(1, (1 << 15) / std::max<std::int64_t>(cols, 1));
  std::vector<T> wh(static_cast<std::size_t>(std::min(panel, rows) * cols));
  const std::vector<T> h = detail::transposed(cols, k, ht);  // H (k x cols)
  double total = 0.0;
  for (std::int64_t r0 = 0; r0 < rows; r0 += panel) {
    const std::int64_t nr = std::min(panel, rows - r0);
    product_ab(nr, cols, k, w + r0 * k, k, h.data(), cols, wh.data(), cols, ht, k);
    for (std::int64_t i = 0; i < nr; ++i) {
      const T* xr = x + (r0 + i) * ldx;
      const T* yr = wh.data() + i * cols;
      double s = 0.0;
      for (std::int64_t j = 0; j < cols; ++j) {
        // X - WH in X's precision, as scikit-learn forms it; squares summed in double.
        const double d = static_cast<double>(xr[j] - yr[j]);
        s += d * d;
      }
      total += s;
    }
  }
  return total;
}

template <typename T>
void multiplicative_step(std::int64_t size, T* f, T* num, const T* den, double l1, double l2, T eps,
                         double gamma) {
  const T l1t = static_cast<T>(l1);
  const T l2t = static_cast<T>(l2);
  for (std::int64_t i = 0; i < size; ++i) {
    T d = den[i];
    if (l1 > 0) d += l1t;
    if (l2 > 0) d = d + l2t * f[i];
    if (d == T(0)) d = eps;
    num[i] /= d;
    if (gamma != 1.0) num[i] = numpy_pow(num[i], gamma);
    f[i] *= num[i];
  }
}

template <typename T>
void beta_mu_products(std::int64_t rows, std::int64_t cols, std::int64_t k, const T* x,
                      std::int64_t ldx, const T* w, const T* ht, double beta, MuSide side, T* num,
                      T* den) {
  const std::int64_t out_rows = side == MuSide::w ? rows : cols;
  std::fill(num, num + out_rows * k, T(0));
  if (beta != 1.0) std::fill(den, den + out_rows * k, T(0));
  // One panel of Y serves both the numerator (A, formed in place of Y) and the denominator (B).
  // Side h accumulates the k x cols transposes (W_P^T A_P), the SIMD kernels' shape.
  std::vector<T> b, num_t, den_t;
  const std::vector<T> h = detail::transposed(cols, k, ht);  // H (k x cols)
  if (side == MuSide::h) {
    num_t.assign(static_cast<std::size_t>(k * cols), T(0));
    if (beta != 1.0) den_t.assign(num_t.size(), T(0));
  }
  detail::for_each_wh_panel(rows, cols, k, w, ht, [&](std::int64_t r0, std::int64_t nr, T* a) {
    if (beta == 1.0) {  // Kullback-Leibler: A = X / Y (Y clipped at eps), vectorised
      for (std::int64_t i = 0; i < nr; ++i)
        ratio_clipped(best_simd_path(), cols, x + (r0 + i) * ldx, a + i * cols,
                      static_cast<T>(detail::kEps32));
    }
    if (beta != 1.0) b.resize(static_cast<std::size_t>(nr * cols));
    for (std::int64_t i = 0; i < nr && beta != 1.0; ++i) {
      const T* xr = x + (r0 + i) * ldx;
      T* ar = a + i * cols;
      T* br = b.data() + i * cols;
      for (std::int64_t j = 0; j < cols; ++j) {
        br[j] = detail::denominator_entry(ar[j], beta);
        ar[j] = detail::numerator_entry(xr[j], ar[j], beta);
      }
    }
    if (side == MuSide::w) {  // rows of num/den for this panel: A_panel Ht, B_panel Ht
      product_ab(nr, k, cols, a, cols, ht, k, num + r0 * k, k, h.data(), cols);
      if (beta != 1.0)
        product_ab(nr, k, cols, b.data(), cols, ht, k, den + r0 * k, k, h.data(), cols);
    } else {  // accumulate W_panel^T A_panel (k x cols)
      product_atb_add(k, cols, nr, w + r0 * k, k, a, cols, num_t.data(), cols);
      if (beta != 1.0)
        product_atb_add(k, cols, nr, w + r0 * k, k, b.data(), cols, den_t.data(), cols);
    }
  });
  if (side == MuSide::h) {
    for (std::int64_t c = 0; c < k; ++c)
      for (std::int64_t j = 0; j < cols; ++j) {
        num[j * k + c] = num_t[c * cols + j];
        if (beta != 1.0) den[j * k + c] = den_t[c * cols + j];
      }
  }
}

template <typename T>
DivergenceSums divergence_sums(std::int64_t rows, std::int64_t cols, std::int64_t k, const T* x,
                               std::int64_t ldx, const T* w, const T* ht, double beta) {
  DivergenceSums s;
  detail::for_each_wh_panel(rows, cols, k, w, ht, [&](std::int64_t r0, std::int64_t nr, T* y) {
    for (std::int64_t i = 0; i < nr; ++i) {
      const T* xr = x + (r0 + i) * ldx;
      const T* yr = y + i * cols;
      for (std::int64_t j = 0; j < cols; ++j) {
        if (beta != 1.0 && beta != 0.0) s.s3 += static_cast<double>(numpy_pow(yr[j], beta));
        detail::add_divergence_entry(s, xr[j], yr[j], beta);
      }
    }
  });
  return s;
}

template <typename T>
BlockStats block_stats(std::int64_t size, const T* x) {
  BlockStats s;
  s.min = std::numeric_limits<double>::infinity();
  double comp = 0.0;  // Neumaier compensation, so the mean does not depend on block sizes much
  for (std::int64_t i = 0; i < size; ++i) {
    const double v = static_cast<double>(x[i]);
    if (!std::isfinite(v)) {
      ++s.nonfinite;
      continue;
    }
    if (v < 0) ++s.negative;
    if (v < s.min) s.min = v;
    const double t = s.sum + v;
    comp += std::abs(s.sum) >= std::abs(v) ? (s.sum - t) + v : (v - t) + s.sum;
    s.sum = t;
  }
  s.sum += comp;
  return s;
}

template <typename T>
T cd_sweep(std::int64_t rows, std::int64_t k, T* a, const T* g, const T* r,
           const std::int64_t* perm) {
  // scikit-learn loops components outside and rows inside. A row's updates read and write only
  // that row (and the fixed g, r), so any order that keeps each row's component order computes
  // every entry the same way: the SIMD kernel takes rows in blocks of vector lanes, each block
  // through all components (it stays in L1, and its rows' divisions overlap). The violation
  // keeps one partial sum per component, rows in order, as scikit-learn adds them.
  return cd_sweep(best_simd_path(), rows, k, a, g, r, perm);
}

template double squared_residual<double>(std::int64_t, std::int64_t, std::int64_t, const double*,
                                         std::int64_t, const double*, const double*);
template double squared_residual<float>(std::int64_t, std::int64_t, std::int64_t, const float*,
                                        std::int64_t, const float*, const float*);
template void multiplicative_step<double>(std::int64_t, double*, double*, const double*, double,
                                          double, double, double);
template void multiplicative_step<float>(std::int64_t, float*, float*, const float*, double, double,
                                         float, double);
template void beta_mu_products<double>(std::int64_t, std::int64_t, std::int64_t, const double*,
                                       std::int64_t, const double*, const double*, double, MuSide,
                                       double*, double*);
template void beta_mu_products<float>(std::int64_t, std::int64_t, std::int64_t, const float*,
                                      std::int64_t, const float*, const float*, double, MuSide,
                                      float*, float*);
template DivergenceSums divergence_sums<double>(std::int64_t, std::int64_t, std::int64_t,
                                                const double*, std::int64_t, const double*,
                                                const double*, double);
template DivergenceSums divergence_sums<float>(std::int64_t, std::int64_t, std::int64_t,
                                               const float*, std::int64_t, const float*,
                                               const float*, double);
template double cd_sweep<double>(std::int64_t, std::int64_t, double*, const double*, const double*,
                                 const std::int64_t*);
template float cd_sweep<float>(std::int64_t, std::int64_t, float*, const float*, const float*,
                               const std::int64_t*);
template BlockStats block_stats<double>(std::int64_t, const double*);
template BlockStats block_stats<float>(std::int64_t, const float*);

}  // namespace dnmf::la
