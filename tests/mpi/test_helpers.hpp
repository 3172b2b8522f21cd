#pragma once
// Building blocks for distributed tests: the same global matrices on every rank (same seed), and
// copying a rank's piece out of them, so each distributed result can be checked against a serial
// computation on the full data.

#include <algorithm>
#include <cmath>
#include <random>

#include "dnmf/dist/dist_matrix.hpp"
#include "mpi_test_env.hpp"

namespace dnmf::test {

inline mpi::Comm world_comm() {
  return mpi::Comm::wrap(world());
}

/// A rows x cols matrix of uniform [lo, hi) values; identical on all ranks for the same seed.
inline Matrix<double> global_random(std::int64_t rows, std::int64_t cols, unsigned seed,
                                    double lo = 0.0, double hi = 1.0) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  Matrix<double> m(rows, cols);
  for (std::int64_t i = 0; i < m.size(); ++i) m.data()[i] = u(gen);
  return m;
}

/// Fills X's local block from the global matrix.
template <typename T>
void scatter_block(const Matrix<double>& global, DistMatrix<T>& x) {
  const Range r = x.row_range(), c = x.col_range();  // positions; items may be permuted
  for (std::int64_t i = 0; i < r.size; ++i)
    for (std::int64_t j = 0; j < c.size; ++j)
      x.local()(i, j) =
          static_cast<T>(global(x.row_axis().item(r.begin + i), x.col_axis().item(c.begin + j)));
}

/// Fills a factor's owned rows from the global tall matrix (W, or Ht).
template <typename T>
void scatter_rows(const Matrix<double>& global, DistFactor<T>& f) {
  const Range r = f.owned();
  for (std::int64_t i = 0; i < r.size; ++i)
    for (std::int64_t c = 0; c < f.k(); ++c)
      f.local()(i, c) = static_cast<T>(global(f.layout().axis.item(r.begin + i), c));
}

/// Largest |a - b| over the owned rows of `f` against the global matrix, relative to max |b|.
template <typename T>
double max_rel_diff_rows(const DistFactor<T>& f, const Matrix<double>& global) {
  double diff = 0, scale = 0;
  const Range r = f.owned();
  for (std::int64_t i = 0; i < r.size; ++i)
    for (std::int64_t c = 0; c < f.k(); ++c) {
      diff = std::max(
          diff, std::abs(double(f.local()(i, c)) - global(f.layout().axis.item(r.begin + i), c)));
    }
  for (std::int64_t i = 0; i < global.size(); ++i)
    scale = std::max(scale, std::abs(global.data()[i]));
  const mpi::Comm& all = f.grid().all();
  return all.allreduce_max(diff) / std::max(scale, 1e-300);
}

}  // namespace dnmf::test
