#pragma once
/// @file The NNDSVD family of initialisations (spec/sklearn-nmf.md §3.3) on top of
/// scikit-learn's randomized SVD (§3.4), distributed.
///
/// Distribution (X never moves; only tall factors and small matrices do):
///   - products with X and X^T go through DistProducts (all-gather along one grid direction,
///     local multiply, reduce-scatter along the other);
///   - the tall LU and QR factorizations run in ScaLAPACK (p?getrf, p?geqrf + p?orgqr) on a
///     block-cyclic copy of the factor: a P x 1 BLACS grid over the grid's communicator, row
///     blocks of q = rows / P (square for LU), laid out so that only the up to P - 1 rows that
///     change rank move (with p?gemr2d);
///   - small r x r matrices (r = k + 10) are replicated.

#include <cstdint>
#include <vector>

#include "dnmf/dist/products.hpp"
#include "dnmf/nmf/init.hpp"

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
/// transpose when n < p, flip_sign=True, random_state=seed). Collective.
template <typename T>
TruncatedSvd<T> randomized_svd(DistProducts<T>& products, std::int64_t k, std::uint32_t seed);

/// NNDSVD, NNDSVDa or NNDSVDar (per `variant`) into w and ht; `seed` drives the SVD's random
/// matrix and the nndsvdar fill. Zero-norm pairs give zero vectors instead of scikit-learn's
/// NaN (a documented deviation). Collective.
template <typename T>
void nndsvd_init(DistProducts<T>& products, Init variant, const DataSummary& data,
                 std::uint32_t seed, DistFactor<T>& w, DistFactor<T>& ht);

/// Steps B-D of §3.3 from a given truncated SVD (what nndsvd_init does after randomized_svd):
/// W and H from the singular triplets, truncation of entries < 1e-6, then the variant's fill
/// (nndsvdar draws from a fresh RandomState(seed)). `svd.u`/`svd.v` must have w's and ht's
/// layouts and at least w.k() columns. Exposed for tests of the zero-norm guard. Collective.
template <typename T>
void nndsvd_from_svd(const TruncatedSvd<T>& svd, Init variant, const DataSummary& data,
                     std::uint32_t seed, DistFactor<T>& w, DistFactor<T>& ht);

}  // namespace dnmf
