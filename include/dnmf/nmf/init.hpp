#pragma once
/// @file Starting points W0 and H0 (spec/sklearn-nmf.md §3).

#include <cstdint>

#include "dnmf/dist/dist_matrix.hpp"
#include "dnmf/nmf/params.hpp"

namespace dnmf {

/// Global facts about X that validation and initialisation need.
struct DataSummary {
  std::int64_t rows = 0, cols = 0;
  double sum = 0;       ///< sum of all entries
  double min = 0;       ///< smallest entry
  double observed = 0;  ///< masked X: the count of observed entries (sum and min are theirs)
  double mean() const {
    if (observed > 0) return sum / observed;
    return sum / (static_cast<double>(rows) * static_cast<double>(cols));
  }
};

/// Checks X for NaN, infinite and negative values (InputError naming `name`, on every rank) and
/// returns its sum and minimum. Collective.
template <typename T>
DataSummary summarize_data(const DistMatrix<T>& x, const std::string& name);

/// The number of components sklearn uses: n_components if given, else H0's rows for a custom
/// init, else n_features (§3.1).
std::int64_t resolve_n_components(const NmfParams& p, std::int64_t n_features,
                                  std::int64_t custom_h_rows);

/// sklearn's choice for init=None: nndsvda when k <= min(n, p), else random. Also rejects an
/// explicit NNDSVD variant with k > min(n, p) (UsageError).
Init resolve_init(const NmfParams& p, std::int64_t k, std::int64_t n_samples,
                  std::int64_t n_features);

/// sklearn's random init: H then W drawn from numpy's RandomState(seed) normal stream, scaled by
/// sqrt(mean(X) / k) and made non-negative. Each rank walks the whole stream and keeps its rows,
/// so the result does not depend on the grid.
template <typename T>
void random_init(const DataSummary& data, std::uint32_t seed, DistFactor<T>& w, DistFactor<T>& ht);

/// Checks a user-supplied factor (custom init) as sklearn does: no NaN/inf, no negative values,
/// not all zeros. `name` is "W" or "H". Collective.
template <typename T>
void check_custom_factor(const DistFactor<T>& f, const std::string& name);

}  // namespace dnmf
