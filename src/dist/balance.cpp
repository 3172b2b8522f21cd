#include "dnmf/dist/balance.hpp"

#include <algorithm>
#include <numeric>

#include "dnmf/core/error.hpp"

namespace dnmf {

Range my_slice(const mpi::Comm& comm, std::int64_t n) {
  return block_range(n, comm.size(), comm.rank());
}

Axis balanced_axis(const mpi::Comm& comm, std::int64_t n, int parts,
                   const std::vector<std::int64_t>& slice_weights) {
  const Range slice = my_slice(comm, n);
  if (static_cast<std::int64_t>(slice_weights.size()) != slice.size) {
    throw InternalError("balanced_axis: one weight per item of my slice expected");
  }
  // The weight before my slice, from every rank's slice total.
  const int p = comm.size();
  const std::int64_t mine =
      std::accumulate(slice_weights.begin(), slice_weights.end(), std::int64_t{0});
  std::vector<std::int64_t> sums(static_cast<std::size_t>(p));
  comm.allgatherv(&mine, sums.data(), std::vector<std::int64_t>(sums.size(), 1));
  const std::int64_t before =
      std::accumulate(sums.begin(), sums.begin() + comm.rank(), std::int64_t{0});
  const std::int64_t total = std::accumulate(sums.begin(), sums.end(), std::int64_t{0});
  if (total == 0) return Axis::uniform(n, parts);

  // Bound b is claimed by the one rank whose slice's prefix range (before, before + mine]
  // holds the target; the others leave 0, so a sum assembles the bounds.
  std::vector<std::int64_t> bounds(static_cast<std::size_t>(parts) + 1, 0);
  bounds.back() = n;
  for (int b = 1; b < parts; ++b) {
    // target = total * b / parts, kept exact: compare prefix * parts with total * b.
    const auto scaled = [&](std::int64_t prefix) {
      return static_cast<long double>(prefix) * parts - static_cast<long double>(total) * b;
    };
    if (!(scaled(before) < 0 && scaled(before + mine) >= 0)) continue;
    std::int64_t prefix = before;  // weight of items [0, slice.begin + i)
    for (std::int64_t i = 0; i < slice.size; ++i) {
      const std::int64_t next = prefix + slice_weights[static_cast<std::size_t>(i)];
      if (scaled(next) >= 0) {  // the target lies in (prefix, next]: take the nearer boundary
        const bool upper = scaled(next) < -scaled(prefix);
        bounds[static_cast<std::size_t>(b)] = slice.begin + i + (upper ? 1 : 0);
        break;
      }
      prefix = next;
    }
  }
  comm.allreduce_sum(bounds.data() + 1, parts - 1);
  return Axis(std::move(bounds));
}

std::vector<std::int64_t> count_into_slices(const mpi::Comm& comm, std::int64_t n,
                                            std::vector<std::int64_t> items) {
  std::sort(items.begin(), items.end());
  const int p = comm.size();
  const Axis slices = Axis::uniform(n, p);
  // (item, count) runs, already grouped by destination since items are sorted.
  std::vector<std::int64_t> runs;
  std::vector<std::int64_t> counts(static_cast<std::size_t>(p), 0);
  for (std::size_t i = 0; i < items.size();) {
    std::size_t j = i;
    while (j < items.size() && items[j] == items[i]) ++j;
    if (items[i] < 0 || items[i] >= n) throw InternalError("count_into_slices: item out of range");
    runs.push_back(items[i]);
    runs.push_back(static_cast<std::int64_t>(j - i));
    counts[static_cast<std::size_t>(slices.block_of(items[i]))] += 2;
    i = j;
  }
  std::vector<std::int64_t>().swap(items);
  const std::vector<std::int64_t> got = comm.alltoallv(runs.data(), counts);
  const Range slice = slices.block(comm.rank());
  std::vector<std::int64_t> weights(static_cast<std::size_t>(slice.size), 0);
  for (std::size_t e = 0; e + 1 < got.size(); e += 2)
    weights[static_cast<std::size_t>(got[e] - slice.begin)] += got[e + 1];
  return weights;
}

double imbalance(const mpi::Comm& comm, std::int64_t local_count) {
  const std::int64_t total = comm.allreduce_sum(local_count);
  const std::int64_t max = comm.allreduce_max(local_count);
  if (total == 0) return 1.0;
  return static_cast<double>(max) * comm.size() / static_cast<double>(total);
}

}  // namespace dnmf
