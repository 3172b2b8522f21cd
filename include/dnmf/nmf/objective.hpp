#pragma once
/// @file scikit-learn's reconstruction error sqrt(2 D_beta(X | W H)) (spec §6), for every
/// solver: the error its stop rule watches and the one it reports.

#include "dnmf/dist/products.hpp"
#include "dnmf/nmf/params.hpp"

namespace dnmf {

/// How the Frobenius case (beta = 2) is formed. Both are sqrt(||X - W H||^2); they differ only
/// when that sum is subnormal, where halving it (D_2) rounds. Each solver keeps the path it
/// has always taken, so that no result moves by a bit.
enum class ErrorPath {
  residual,    ///< sqrt(||X - W H||^2): cd, anls-bpp
  divergence,  ///< sqrt(2 D_2), D_2 = ||X - W H||^2 / 2: mu
};
inline ErrorPath error_path(Solver s) {
  return s == Solver::mu ? ErrorPath::divergence : ErrorPath::residual;
}

/// sqrt(2 max(D_beta(X | W H), 0)), each rank over its own block of X. Collective.
template <typename T>
double reconstruction_error(DistProducts<T>& products, const DistFactor<T>& w,
                            const DistFactor<T>& ht, double beta,
                            ErrorPath path = ErrorPath::residual);

}  // namespace dnmf
