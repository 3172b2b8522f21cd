#pragma once
// Entry-wise pieces of scikit-learn's beta-divergence formulas (spec §5.3, §6) and the row-panel
// loop over Y = W Ht^T, shared by the dense and the sparse kernels so both follow the same rules.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "dnmf/la/blas.hpp"
#include "dnmf/la/kernels.hpp"
#include "dnmf/la/numpy_math.hpp"
#include "dnmf/la/simd_products.hpp"

namespace dnmf::la::detail {

constexpr double kEps32 = 1.1920928955078125e-07;  // scikit-learn's EPSILON, for every dtype

/// Rows per panel so that a panel of Y (rows x cols) stays around 256 KiB.
inline std::int64_t panel_rows(std::int64_t rows, std::int64_t cols) {
  return std::min(rows, std::max<std::int64_t>(1, (1 << 15) / std::max<std::int64_t>(cols, 1)));
}

/// (W H)_ij from W's row i and Ht's row j (k entries each), summed in component order: the
/// entry the sparse and masked kernels form at a stored or observed position.
template <typename T>
T row_dot(const T* a, const T* b, std::int64_t k) {
  T s = 0;
  for (std::int64_t c = 0; c < k; ++c) s += a[c] * b[c];
  return s;
}

/// The transpose (cols x rows) of a row-major rows x cols matrix.
template <typename T>
std::vector<T> transposed(std::int64_t rows, std::int64_t cols, const T* a) {
  std::vector<T> t(static_cast<std::size_t>(rows * cols));
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j) t[j * rows + i] = a[i * cols + j];
  return t;
}

/// Calls f(r0, nr, y) for consecutive row panels of Y = W Ht^T (y is nr x cols, writable).
template <typename T, typename F>
void for_each_wh_panel(std::int64_t rows, std::int64_t cols, std::int64_t k, const T* w,
                       const T* ht, F&& f) {
  if (rows == 0 || cols == 0) return;
  const std::int64_t panel = panel_rows(rows, cols);
  std::vector<T> y(static_cast<std::size_t>(panel * cols));
  const std::vector<T> h = transposed(cols, k, ht);  // H (k x cols): Y's rows are W's times H
  for (std::int64_t r0 = 0; r0 < rows; r0 += panel) {
    const std::int64_t nr = std::min(panel, rows - r0);
    product_ab(nr, cols, k, w + r0 * k, k, h.data(), cols, y.data(), cols, ht, k);
    f(r0, nr, y.data());
  }
}

/// The MU numerator's entry A = X * Y^(beta-2), with Y clipped below at eps when beta < 2;
/// beta = 1 is X / Y and beta = 0 is (1/Y)^2 X, as numpy evaluates them.
template <typename T>
inline T numerator_entry(T x, T y, double beta) {
  const T eps = static_cast<T>(kEps32);
  const T yn = beta < 2.0 && y < eps ? eps : y;
  if (beta == 1.0) return x / yn;
  if (beta == 0.0) {
    const T inv = T(1) / yn;
    return inv * inv * x;
  }
  return numpy_pow(yn, beta - 2.0) * x;
}

/// The MU denominator's entry B = Y^(beta-1), with Y clipped below at eps when beta < 1.
template <typename T>
inline T denominator_entry(T y, double beta) {
  const T eps = static_cast<T>(kEps32);
  return numpy_pow(beta < 1.0 && y < eps ? eps : y, beta - 1.0);
}

/// Adds one entry's share of s1 and s2 (see DivergenceSums); entries with x <= eps count as
/// zeros and add nothing; y is clipped below at eps.
template <typename T>
inline void add_divergence_entry(DivergenceSums& s, T x, T y, double beta) {
  const T eps = static_cast<T>(kEps32);
  if (!(x > eps)) return;
  const T yc = y < eps ? eps : y;
  if (beta == 1.0) {
    s.s1 += static_cast<double>(x * std::log(x / yc));
    s.s2 += static_cast<double>(x);
  } else if (beta == 0.0) {
    const T d = x / yc;
    s.s1 += static_cast<double>(d);
    s.s2 += static_cast<double>(std::log(d));
  } else {
    s.s1 += static_cast<double>(numpy_pow(x, beta));
    s.s2 += static_cast<double>(x * numpy_pow(yc, beta - 1.0));
  }
}

}  // namespace dnmf::la::detail
