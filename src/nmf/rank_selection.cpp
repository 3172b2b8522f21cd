#include "dnmf/nmf/rank_selection.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "dnmf/core/error.hpp"

namespace dnmf {

std::vector<std::int64_t> best_assignment(const Matrix<double>& score) {
  const std::int64_t n = score.rows();
  if (score.cols() != n) throw InternalError("best_assignment: the score matrix is not square");
  // Minimise cost = -score with row and column potentials u, v (1-based; column 0 is the
  // unmatched sentinel). Each row in turn is added and an augmenting path of least reduced
  // cost found, Dijkstra-like, keeping u_i + v_j <= cost_ij with equality on matched pairs.
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> u(n + 1, 0), v(n + 1, 0);
  std::vector<std::int64_t> row_of(n + 1, 0), came_from(n + 1, 0);
  for (std::int64_t i = 1; i <= n; ++i) {
    row_of[0] = i;
    std::int64_t col = 0;
    std::vector<double> least(n + 1, inf);
    std::vector<char> used(n + 1, 0);
    do {
      used[col] = 1;
      const std::int64_t r = row_of[col];
      double delta = inf;
      std::int64_t next = 0;
      for (std::int64_t j = 1; j <= n; ++j) {
        if (used[j]) continue;
        const double reduced = -score(r - 1, j - 1) - u[r] - v[j];
        if (reduced < least[j]) {
          least[j] = reduced;
          came_from[j] = col;
        }
        if (least[j] < delta) {
          delta = least[j];
          next = j;
        }
      }
      for (std::int64_t j = 0; j <= n; ++j) {
        if (used[j]) {
          u[row_of[j]] += delta;
          v[j] -= delta;
        } else {
          least[j] -= delta;
        }
      }
      col = next;
    } while (row_of[col] != 0);
    do {  // flip the path's pairs
      const std::int64_t prev = came_from[col];
      row_of[col] = row_of[prev];
      col = prev;
    } while (col != 0);
  }
  std::vector<std::int64_t> result(static_cast<std::size_t>(n), 0);
  for (std::int64_t j = 1; j <= n; ++j) result[row_of[j] - 1] = j - 1;
  return result;
}

std::vector<double> matched_similarities(const Matrix<double>& reference, const Matrix<double>& h) {
  const std::int64_t k = h.rows(), p = h.cols();
  if (reference.rows() != k || reference.cols() != p) {
    throw InternalError("matched_similarities: the two fits' components differ in shape");
  }
  auto norms = [&](const Matrix<double>& m) {
    std::vector<double> out(static_cast<std::size_t>(k), 0);
    for (std::int64_t i = 0; i < k; ++i) {
      double s = 0;
      for (std::int64_t j = 0; j < p; ++j) s += m(i, j) * m(i, j);
      out[i] = std::sqrt(s);
    }
    return out;
  };
  const std::vector<double> nh = norms(h), nr = norms(reference);
  Matrix<double> sim(k, k);
  for (std::int64_t a = 0; a < k; ++a)
    for (std::int64_t b = 0; b < k; ++b) {
      if (nh[a] == 0 || nr[b] == 0) continue;
      double d = 0;
      for (std::int64_t j = 0; j < p; ++j) d += h(a, j) * reference(b, j);
      sim(a, b) = d / (nh[a] * nr[b]);
    }
  const std::vector<std::int64_t> match = best_assignment(sim);
  std::vector<double> out(static_cast<std::size_t>(k));
  for (std::int64_t a = 0; a < k; ++a) out[a] = sim(a, match[a]);
  return out;
}

std::string to_string(KRule rule) {
  return rule == KRule::minimum ? "min" : "1se";
}

namespace {

/// Mean and standard error std(ddof=1)/sqrt(n) (0 when n = 1).
std::pair<double, double> mean_se(const std::vector<double>& v) {
  const double n = static_cast<double>(v.size());
  double mean = 0;
  for (double x : v) mean += x;
  mean /= n;
  if (v.size() < 2) return {mean, 0.0};
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return {mean, std::sqrt(ss / (n - 1)) / std::sqrt(n)};
}

}  // namespace

std::vector<KSummary> summarize(std::vector<TaskResult>& tasks) {
  std::sort(tasks.begin(), tasks.end(), [](const TaskResult& a, const TaskResult& b) {
    return a.k != b.k ? a.k < b.k : a.replicate < b.replicate;
  });
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<KSummary> table;
  for (std::size_t first = 0; first < tasks.size();) {
    std::size_t last = first;
    while (last < tasks.size() && tasks[last].k == tasks[first].k) ++last;
    KSummary s;
    s.k = tasks[first].k;
    s.replicates = static_cast<std::int64_t>(last - first);
    std::vector<double> test, train, stab;
    double least = nan, iters = 0, secs = 0;
    const TaskResult* reference = tasks[first].replicate == 0 ? &tasks[first] : nullptr;
    for (std::size_t t = first; t < last; ++t) {
      TaskResult& r = tasks[t];
      test.push_back(r.test_error);
      train.push_back(r.train_error);
      iters += static_cast<double>(r.n_iter);
      secs += r.seconds;
      r.stability = r.stability_min = nan;
      if (reference && &r != reference) {
        const std::vector<double> m = matched_similarities(reference->components, r.components);
        double sum = 0, low = m.empty() ? nan : m[0];
        for (double x : m) {
          sum += x;
          low = std::min(low, x);
        }
        r.stability = sum / static_cast<double>(m.size());
        r.stability_min = low;
        stab.push_back(r.stability);
        least = std::isnan(least) ? low : std::min(least, low);
      }
    }
    std::tie(s.test_mean, s.test_se) = mean_se(test);
    std::tie(s.train_mean, s.train_se) = mean_se(train);
    s.stability_mean = stab.empty() ? nan : mean_se(stab).first;
    s.stability_min = least;
    s.n_iter_mean = iters / static_cast<double>(s.replicates);
    s.seconds_mean = secs / static_cast<double>(s.replicates);
    table.push_back(s);
    first = last;
  }
  return table;
}

std::int64_t choose_k(const std::vector<KSummary>& table, KRule rule, std::int64_t* best) {
  if (table.empty()) throw InternalError("choose_k: no k was fitted");
  std::size_t at = 0;
  for (std::size_t i = 1; i < table.size(); ++i)
    if (table[i].test_mean < table[at].test_mean) at = i;
  if (best) *best = table[at].k;
  if (rule == KRule::minimum) return table[at].k;
  const double limit = table[at].test_mean + table[at].test_se;
  for (const KSummary& s : table)
    if (s.test_mean <= limit) return s.k;
  return table[at].k;
}

}  // namespace dnmf
