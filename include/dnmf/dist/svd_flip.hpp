#pragma once
/// @file scikit-learn's sign convention for singular vectors (svd_flip), on distributed
/// factors.

#include "dnmf/dist/dist_matrix.hpp"

namespace dnmf {

/// scikit-learn's svd_flip, deciding on the left singular vectors of X (`u`, samples side):
/// each column gets the sign of its largest-magnitude entry (the first such entry in global
/// row order on ties; sign(0) = 0 zeroes the pair), and the matching column of `v` the same.
/// One all-gather of k (|max|, row, value) triples per rank. Collective.
template <typename T>
void flip_signs(DistFactor<T>& u, DistFactor<T>& v);

}  // namespace dnmf
