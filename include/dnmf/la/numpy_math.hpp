#pragma once
/// @file Elementwise math with numpy's rounding behaviour, so formulas written with `**` in
/// scikit-learn give the same bits here.

#include <cmath>

namespace dnmf::la {

/// numpy's `a ** e` for a scalar exponent: numpy replaces e = -1, 0, 0.5, 1, 2 by reciprocal,
/// one, sqrt, identity and square (exactly rounded), and calls pow otherwise.
template <typename T>
inline T numpy_pow(T a, double e) {
  if (e == 2.0) return a * a;
  if (e == 1.0) return a;
  if (e == 0.5) return std::sqrt(a);
  if (e == -1.0) return T(1) / a;
  if (e == 0.0) return T(1);
  return std::pow(a, static_cast<T>(e));
}

}  // namespace dnmf::la
