#pragma once
/// @file Choosing k (issue #17): the speckled hold-out pattern, matching components across
/// replicates, and the rule that picks k from the cross-validation table. Pure functions of
/// their arguments, shared by `dnmf select-k` and the tests; the distributed part (groups, the
/// task queue, the fits) is in src/app/select_k.cpp.

#include <cstdint>
#include <string>
#include <vector>

#include "dnmf/core/matrix.hpp"

namespace dnmf {

/// splitmix64's finalizer: a bijection of 64-bit words whose output bits each depend on every
/// input bit.
inline std::uint64_t mix64(std::uint64_t z) {
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// Whether entry (row, col) of X (file indices) is held out in replicate `replicate` of a run
/// with seed `seed`, holding out a fraction `fraction` of the entries:
///   key = mix64(mix64(mix64(seed * 2^32 + replicate) ^ row) ^ col),
///   held out  <=>  (key >> 11) * 2^-53 < fraction.
/// Every rank decides its own entries; no rank stores the pattern.
inline bool held_out(std::uint64_t seed, std::uint64_t replicate, std::uint64_t row,
                     std::uint64_t col, double fraction) {
  const std::uint64_t key = mix64(mix64(mix64((seed << 32) + replicate) ^ row) ^ col);
  return static_cast<double>(key >> 11) * 0x1.0p-53 < fraction;
}

/// The assignment of rows to columns of the n x n `score` matrix with the largest total score
/// (the Hungarian method, O(n^3)): result[i] is row i's column.
std::vector<std::int64_t> best_assignment(const Matrix<double>& score);

/// How alike two fits' components are: the cosine similarity of each row of `h` (k x p) with
/// each row of `reference` (k x p), rows matched one to one by best_assignment; returns the k
/// matched similarities, in h's row order. A zero row is similar to nothing (0).
std::vector<double> matched_similarities(const Matrix<double>& reference, const Matrix<double>& h);

/// One fit of the cross-validation: its k, replicate and what it measured.
struct TaskResult {
  std::int64_t k = 0;
  std::int64_t replicate = 0;
  double train_error = 0;  ///< sqrt(2 D_beta / count) over the entries the fit saw
  double test_error = 0;   ///< the same over the held-out entries
  std::int64_t n_iter = 0;
  double seconds = 0;
  std::int64_t group = 0;     ///< which group of ranks ran it
  double stability = 0;       ///< mean matched similarity to replicate 0 (NaN for it)
  double stability_min = 0;   ///< the least matched similarity to replicate 0 (NaN for it)
  Matrix<double> components;  ///< H (k x p), for the stability measures
};

/// The table per k: means over replicates, standard errors std(ddof=1)/sqrt(R) (0 for R = 1).
struct KSummary {
  std::int64_t k = 0;
  std::int64_t replicates = 0;
  double test_mean = 0, test_se = 0;
  double train_mean = 0, train_se = 0;
  double stability_mean = 0;  ///< over replicates 1..R-1 (NaN for R = 1)
  double stability_min = 0;   ///< the least matched similarity over them (NaN for R = 1)
  double n_iter_mean = 0, seconds_mean = 0;
};

enum class KRule {
  one_standard_error,  ///< the smallest k whose mean test error is within one standard error
                       ///< (that of the minimum's k) of the minimum
  minimum,             ///< the k of the least mean test error
};
std::string to_string(KRule rule);

/// Fills each task's stability (against the replicate-0 fit of its k) and summarises per k.
/// `tasks` is sorted by (k, replicate) on return.
std::vector<KSummary> summarize(std::vector<TaskResult>& tasks);

/// The chosen k by `rule`; `best` is set to the k of the least mean test error.
std::int64_t choose_k(const std::vector<KSummary>& table, KRule rule, std::int64_t* best = nullptr);

}  // namespace dnmf
