// Balancing X's blocks by stored entries (dist/balance.hpp), at every rank count, against serial
// computations on the whole data.
#include <gtest/gtest.h>

#include <numeric>
#include <random>

#include "dnmf/dist/balance.hpp"
#include "test_helpers.hpp"

namespace dnmf {
namespace {

/// The rule of balanced_axis, applied to the whole weight vector at once: item i is the first
/// whose prefix through it reaches total * b / parts; bound b is after it when that is nearer to
/// the target, else before it.
std::vector<std::int64_t> expected_bounds(const std::vector<std::int64_t>& w, int parts) {
  const long double total = std::accumulate(w.begin(), w.end(), 0.0L);
  std::vector<std::int64_t> bounds(static_cast<std::size_t>(parts) + 1, 0);
  bounds.back() = static_cast<std::int64_t>(w.size());
  for (int b = 1; b < parts; ++b) {
    const long double target = total * b / parts;
    long double before = 0;
    std::size_t i = 0;
    while (before + w[i] < target) before += w[i++];
    const bool after = before + w[i] - target < target - before;
    bounds[static_cast<std::size_t>(b)] = static_cast<std::int64_t>(i + (after ? 1 : 0));
  }
  return bounds;
}

/// Power-law weights (a few very heavy items: the heaviest of 1e5 holds 2% of the total, as the
/// longest row does in `make_sparse.py --power-law`), in random order, the same on every rank.
std::vector<std::int64_t> power_law(std::int64_t n, unsigned seed) {
  std::vector<std::int64_t> w(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i)
    w[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(1e5 / std::pow(i + 1.0, 0.8)) + 1;
  std::shuffle(w.begin(), w.end(), std::mt19937(seed));
  return w;
}

std::vector<std::int64_t> my_part(const mpi::Comm& comm, const std::vector<std::int64_t>& w) {
  const Range s = my_slice(comm, static_cast<std::int64_t>(w.size()));
  return {w.begin() + s.begin, w.begin() + s.end()};
}

TEST(Balance, BoundsFollowTheNearestPrefixRule) {
  const mpi::Comm comm = test::world_comm();
  for (const std::int64_t n : {0, 1, 5, 37, 1000}) {
    const std::vector<std::int64_t> w = power_law(n, static_cast<unsigned>(n));
    for (int parts = 1; parts <= 5; ++parts) {
      SCOPED_TRACE("n " + std::to_string(n) + " parts " + std::to_string(parts));
      const Axis a = balanced_axis(comm, n, parts, my_part(comm, w));
      if (n == 0) {
        EXPECT_EQ(a, Axis::uniform(0, parts));
        continue;
      }
      EXPECT_EQ(a.bounds(), expected_bounds(w, parts));
    }
  }
}

TEST(Balance, ExampleFromTheHeader) {
  const mpi::Comm comm = test::world_comm();
  const std::vector<std::int64_t> w = {5, 1, 1, 1, 1, 1};
  EXPECT_EQ(balanced_axis(comm, 6, 2, my_part(comm, w)).bounds(),
            (std::vector<std::int64_t>{0, 1, 6}));
  const std::vector<std::int64_t> zeros(6, 0);
  EXPECT_EQ(balanced_axis(comm, 6, 4, my_part(comm, zeros)), Axis::uniform(6, 4));
}

TEST(Balance, PowerLawBlocksAreWithinTenPercentOfTheMean) {
  const mpi::Comm comm = test::world_comm();
  const std::int64_t n = 100000;
  const std::vector<std::int64_t> w = power_law(n, 7);
  const std::int64_t total = std::accumulate(w.begin(), w.end(), std::int64_t{0});
  for (int parts = 2; parts <= 4; ++parts) {  // a grid dimension at up to 4 ranks
    const Axis a = balanced_axis(comm, n, parts, my_part(comm, w));
    std::int64_t worst = 0;
    for (int b = 0; b < parts; ++b) {
      const Range r = a.block(b);
      worst = std::max(worst,
                       std::accumulate(w.begin() + r.begin, w.begin() + r.end(), std::int64_t{0}));
    }
    EXPECT_LT(static_cast<double>(worst) * parts / static_cast<double>(total), 1.10)
        << parts << " parts";
  }
}

TEST(Balance, CountIntoSlicesCountsEveryRanksItems) {
  const mpi::Comm comm = test::world_comm();
  const std::int64_t n = 53;
  // Every rank lists items of its own choosing; the expected counts add all ranks' lists.
  std::vector<std::int64_t> expected(static_cast<std::size_t>(n), 0), mine;
  for (int r = 0; r < comm.size(); ++r) {
    std::mt19937 gen(static_cast<unsigned>(100 + r));
    std::uniform_int_distribution<std::int64_t> pick(0, n - 1);
    for (int e = 0; e < 200 + 37 * r; ++e) {
      const std::int64_t item = pick(gen) % (r + 2) == 0 ? 3 : pick(gen);  // item 3 is heavy
      ++expected[static_cast<std::size_t>(item)];
      if (r == comm.rank()) mine.push_back(item);
    }
  }
  EXPECT_EQ(count_into_slices(comm, n, mine), my_part(comm, expected));
}

TEST(Balance, ImbalanceIsMaxOverMean) {
  const mpi::Comm comm = test::world_comm();
  const double got = imbalance(comm, comm.rank() == 0 ? 10 : 0);
  EXPECT_DOUBLE_EQ(got, static_cast<double>(comm.size()));
  EXPECT_DOUBLE_EQ(imbalance(comm, 0), 1.0);
}

}  // namespace
}  // namespace dnmf
