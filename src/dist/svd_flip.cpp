#include "dnmf/dist/svd_flip.hpp"

#include <cmath>
#include <vector>

namespace dnmf {

template <typename T>
void flip_signs(DistFactor<T>& u, DistFactor<T>& v) {
  const std::int64_t k = u.k();
  const mpi::Comm& all = u.grid().all();
  std::vector<double> mine(static_cast<std::size_t>(3 * k), -1.0);
  const Matrix<T>& ul = u.local();
  for (std::int64_t c = 0; c < k; ++c) {
    double best = -1, value = 0;
    std::int64_t row = -1;
    for (std::int64_t i = 0; i < ul.rows(); ++i) {
      const double a = std::abs(static_cast<double>(ul(i, c)));
      const std::int64_t item = u.layout().axis.item(u.owned().begin + i);
      if (a > best || (a == best && item < row)) {  // ties go by item order
        best = a;
        row = item;
        value = static_cast<double>(ul(i, c));
      }
    }
    mine[3 * c] = best;
    mine[3 * c + 1] = static_cast<double>(row);  // exact: rows < 2^53
    mine[3 * c + 2] = value;
  }
  const int p = all.size();
  std::vector<double> every(static_cast<std::size_t>(3 * k * p));
  all.allgatherv(mine.data(), every.data(), std::vector<std::int64_t>(p, 3 * k));
  for (std::int64_t c = 0; c < k; ++c) {
    double best = -1, row = 0, value = 0;
    for (int r = 0; r < p; ++r) {
      const double* e = &every[static_cast<std::size_t>(3 * (r * k + c))];
      if (e[0] < 0) continue;  // no rows on that rank
      if (e[0] > best || (e[0] == best && e[1] < row)) {
        best = e[0];
        row = e[1];
        value = e[2];
      }
    }
    const T sign = value > 0 ? T(1) : (value < 0 ? T(-1) : T(0));
    for (std::int64_t i = 0; i < u.local().rows(); ++i) u.local()(i, c) *= sign;
    for (std::int64_t i = 0; i < v.local().rows(); ++i) v.local()(i, c) *= sign;
  }
}

template void flip_signs<double>(DistFactor<double>&, DistFactor<double>&);
template void flip_signs<float>(DistFactor<float>&, DistFactor<float>&);

}  // namespace dnmf
