#pragma once
/// @file The NNDSVD family of initialisations (spec/sklearn-nmf.md §3.3) on top of
/// scikit-learn's randomized SVD (§3.4), distributed.
///
/// Every rank works on its own rows of W and Ht; the SVD itself is in
/// dnmf/dist/randomized_svd.hpp.

#include <cstdint>
#include <vector>

#include "dnmf/dist/products.hpp"
#include "dnmf/dist/randomized_svd.hpp"
#include "dnmf/nmf/init.hpp"

namespace dnmf {

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
