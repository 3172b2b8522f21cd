#pragma once
/// @file scikit-learn's randomized SVD (spec/sklearn-nmf.md §3.4), distributed: the first
/// singular triplets of a DistMatrix, for the NNDSVD initialisations (dnmf/nmf/nndsvd.hpp).
///
/// Distribution (X never moves; only tall factors and small matrices do):
///   - products with X and X^T go through DistProducts (all-gather along one grid direction,
///     local multiply, reduce-scatter along the other);
///   - the tall LU and QR factorizations run in ScaLAPACK (p?getrf, p?geqrf + p?orgqr) on a
///     block-cyclic copy of the factor (dnmf/dist/tall_lu_qr.hpp, dnmf/dist/block_cyclic.hpp);
///   - small r x r matrices (r = k + 10) are replicated; their SVD is serial LAPACK on rank 0,
///     broadcast.

#include <cstdint>
#include <vector>

#include "dnmf/dist/dist_matrix.hpp"
#include "dnmf/dist/products.hpp"

namespace dnmf {

/// The first k singular triplets of X: U (n x k) on the samples side, V = Vt^T (p x k) on the
/// features side, singular values s (k, descending), with scikit-learn's sign convention.
template <typename T>
struct TruncatedSvd {
  DistFactor<T> u;
  std::vector<double> s;
  DistFactor<T> v;
};

/// scikit-learn's randomized_svd(X, k, n_oversamples=10, n_iter='auto', LU power iterations,
/// transpose when n < p, flip_sign=True, random_state=seed). UsageError unless
/// 1 <= k <= min(n, p); NumericalError (agreed by every rank) if the small SVD does not
/// converge. Collective.
template <typename T>
TruncatedSvd<T> randomized_svd(DistProducts<T>& products, std::int64_t k, std::uint32_t seed);

}  // namespace dnmf
