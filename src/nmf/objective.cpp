#include "dnmf/nmf/objective.hpp"

#include <algorithm>
#include <cmath>

namespace dnmf {

template <typename T>
double reconstruction_error(DistProducts<T>& products, const DistFactor<T>& w,
                            const DistFactor<T>& ht, double beta, ErrorPath path) {
  // Clamped: rounding can leave a near-exact fit's sum slightly below 0.
  if (beta == 2.0 && path == ErrorPath::residual) {
    return std::sqrt(std::max(products.squared_residual(w, ht), 0.0));
  }
  return std::sqrt(2.0 * std::max(products.divergence(w, ht, beta), 0.0));
}

template double reconstruction_error<double>(DistProducts<double>&, const DistFactor<double>&,
                                             const DistFactor<double>&, double, ErrorPath);
template double reconstruction_error<float>(DistProducts<float>&, const DistFactor<float>&,
                                            const DistFactor<float>&, double, ErrorPath);

}  // namespace dnmf
