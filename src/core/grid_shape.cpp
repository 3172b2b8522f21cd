#include "dnmf/core/grid_shape.hpp"

#include <cstdio>
#include <limits>

#include "dnmf/core/error.hpp"

namespace dnmf {

double words_per_iteration(std::int64_t m, std::int64_t n, std::int64_t k, GridShape g) {
  const double pr = g.pr, pc = g.pc, p = g.size();
  const double w_rows = static_cast<double>(m) / pr;  // rows of W shared within a grid row
  const double h_cols = static_cast<double>(n) / pc;  // columns of H shared within a grid column
  const double kk = static_cast<double>(k);
  // all-gather + reduce-scatter of a w_rows x k block among pc ranks, and of h_cols x k among pr.
  const double factors = 2.0 * kk * (w_rows * (pc - 1) / pc + h_cols * (pr - 1) / pr);
  const double grams = 2.0 * 2.0 * kk * kk * (p - 1) / p;
  return factors + grams;
}

double iteration_cost(std::int64_t m, std::int64_t n, std::int64_t k, GridShape g, double x_bytes,
                      bool one_pass) {
  const double passes = one_pass && g.pc == 1 ? 1.0 : 2.0;
  return 8.0 * kNetworkPerMemoryByte * words_per_iteration(m, n, k, g) +
         passes * x_bytes / g.size();
}

GridShape choose_grid(std::int64_t m, std::int64_t n, std::int64_t k, int p, double x_bytes,
                      bool one_pass) {
  if (p < 1) throw InternalError("choose_grid: p < 1");
  GridShape best{p, 1};
  double best_cost = std::numeric_limits<double>::infinity();
  for (int pr = p; pr >= 1; --pr) {
    if (p % pr != 0) continue;
    const GridShape g{pr, p / pr};
    const double c = iteration_cost(m, n, k, g, x_bytes, one_pass);
    if (c < best_cost) {
      best_cost = c;
      best = g;
    }
  }
  return best;
}

GridShape parse_grid(const std::string& text, const std::string& option) {
  int pr = 0, pc = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%dx%d%c", &pr, &pc, &tail) != 2 || pr < 1 || pc < 1) {
    throw UsageError(option + ": expected PRxPC with positive integers (e.g. 2x2), got '" + text +
                     "'");
  }
  return {pr, pc};
}

}  // namespace dnmf
