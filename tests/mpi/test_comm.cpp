#include <gtest/gtest.h>

#include <numeric>

#include "dnmf/core/error.hpp"
#include "dnmf/mpi/comm.hpp"
#include "test_helpers.hpp"

namespace dnmf {
namespace {

TEST(Comm, AllgathervConcatenatesInRankOrder) {
  const mpi::Comm comm = test::world_comm();
  const int p = comm.size(), me = comm.rank();
  // Rank r contributes r + 1 copies of the value r.
  std::vector<std::int64_t> counts(p);
  for (int r = 0; r < p; ++r) counts[r] = r + 1;
  std::vector<double> send(me + 1, double(me));
  std::vector<double> recv(std::accumulate(counts.begin(), counts.end(), std::int64_t{0}));
  comm.allgatherv(send.data(), recv.data(), counts);
  std::size_t pos = 0;
  for (int r = 0; r < p; ++r)
    for (int c = 0; c <= r; ++c) EXPECT_EQ(recv[pos++], double(r));
}

TEST(Comm, ReduceScatterSumsAndSplits) {
  const mpi::Comm comm = test::world_comm();
  const int p = comm.size(), me = comm.rank();
  std::vector<std::int64_t> counts(p, 2);
  counts[0] = 3;  // uneven
  const std::int64_t total = 2 * p + 1;
  std::vector<double> send(total);
  for (std::int64_t i = 0; i < total; ++i) send[i] = double(i) * (me + 1);
  std::vector<double> recv(counts[me]);
  comm.reduce_scatter_sum(send.data(), recv.data(), counts);
  const double ranks_sum = p * (p + 1) / 2.0;
  const std::int64_t offset = me == 0 ? 0 : 3 + 2 * (me - 1);
  for (std::int64_t i = 0; i < counts[me]; ++i) EXPECT_EQ(recv[i], double(offset + i) * ranks_sum);
}

/// Runs `body` with mpi::max_count() lowered to `limit`, then restores it.
template <typename F>
void with_max_count(std::int64_t limit, F body) {
  const std::int64_t saved = mpi::max_count();
  mpi::set_max_count(limit);
  body();
  mpi::set_max_count(saved);
}

// Collectives whose totals exceed max_count() go in pieces; with a limit of 3 elements, every
// one below does, and must give what the single MPI call gives (exactly: integers).
TEST(Comm, CollectivesInPiecesGiveTheSameResults) {
  const mpi::Comm comm = test::world_comm();
  const int p = comm.size(), me = comm.rank();
  std::vector<std::int64_t> counts(static_cast<std::size_t>(p));
  for (int r = 0; r < p; ++r) counts[r] = (r * 5 + 2) % 7;  // 2, 0, 5, 3: one rank sends none
  const std::int64_t total = std::accumulate(counts.begin(), counts.end(), std::int64_t{0});
  std::vector<std::int64_t> mine(static_cast<std::size_t>(counts[me]));
  for (std::size_t i = 0; i < mine.size(); ++i) mine[i] = 100 * me + std::int64_t(i);
  std::vector<std::int64_t> sums(static_cast<std::size_t>(total));
  for (std::int64_t i = 0; i < total; ++i) sums[i] = i * (me + 1);
  std::vector<std::int64_t> to_each(static_cast<std::size_t>(p));  // alltoallv: me -> r
  for (int r = 0; r < p; ++r) to_each[r] = (me + 2 * r) % 5;
  std::vector<std::int64_t> letters;
  for (int r = 0; r < p; ++r)
    for (std::int64_t i = 0; i < to_each[r]; ++i) letters.push_back(1000 * me + 10 * r + i);

  struct Results {
    std::vector<std::int64_t> gathered, scattered, reduced, broadcast, exchanged;
  };
  auto run_all = [&] {
    Results out;
    out.gathered.resize(static_cast<std::size_t>(total));
    comm.allgatherv(mine.data(), out.gathered.data(), counts);
    out.scattered.resize(static_cast<std::size_t>(counts[me]));
    comm.reduce_scatter_sum(sums.data(), out.scattered.data(), counts);
    out.reduced = sums;
    comm.allreduce_sum(out.reduced.data(), total);
    out.broadcast = sums;
    comm.bcast(out.broadcast.data(), total, p - 1);
    out.exchanged = comm.alltoallv(letters.data(), to_each);
    return out;
  };
  const Results whole = run_all();
  const std::int64_t before = mpi::bytes_received();
  Results pieces;
  with_max_count(3, [&] { pieces = run_all(); });
  const std::int64_t moved = mpi::bytes_received() - before;
  EXPECT_EQ(pieces.gathered, whole.gathered);
  EXPECT_EQ(pieces.scattered, whole.scattered);
  EXPECT_EQ(pieces.reduced, whole.reduced);
  EXPECT_EQ(pieces.broadcast, whole.broadcast);
  EXPECT_EQ(pieces.exchanged, whole.exchanged);
  // The volume counted is the operation's, however it is carried.
  const std::int64_t again = mpi::bytes_received();
  run_all();
  EXPECT_EQ(mpi::bytes_received() - again, moved);
  // A spot check of the content: rank r's first element is 100 r.
  std::int64_t at = 0;
  for (int r = 0; r < p; ++r) {
    if (counts[r] > 0) {
      EXPECT_EQ(whole.gathered[at], 100 * r);
    }
    at += counts[r];
  }
}

TEST(Comm, MaxCountRejectsLimitsOutsideInt) {
  EXPECT_THROW(mpi::set_max_count(0), InternalError);
  EXPECT_THROW(mpi::set_max_count(std::int64_t{1} << 31), InternalError);
  EXPECT_EQ(mpi::max_count(), 2147483647);
}

TEST(Comm, AgreeRaisesTheLowestFailingRanksErrorEverywhere) {
  const mpi::Comm comm = test::world_comm();
  const int last = comm.size() - 1;
  try {
    mpi::agree(comm, [&] {
      if (comm.rank() == last) throw InputError("bad block on rank " + std::to_string(last));
    });
    FAIL() << "no exception";
  } catch (const mpi::CollectiveError& e) {
    EXPECT_EQ(e.code(), ExitCode::input);
    EXPECT_EQ(std::string(e.what()), "bad block on rank " + std::to_string(last));
  }
  EXPECT_NO_THROW(mpi::agree(comm, [] {}));
}

TEST(Comm, CountsBytesReceivedAsDocumented) {
  const mpi::Comm comm = test::world_comm();
  const int p = comm.size(), me = comm.rank();
  // All-gather: rank r sends r + 1 doubles; I receive everyone's but mine.
  std::vector<std::int64_t> counts(static_cast<std::size_t>(p));
  for (int r = 0; r < p; ++r) counts[static_cast<std::size_t>(r)] = r + 1;
  const std::int64_t total = p * (p + 1) / 2;
  std::vector<double> mine(static_cast<std::size_t>(me + 1), 1.0),
      all(static_cast<std::size_t>(total));
  std::int64_t before = mpi::bytes_received();
  comm.allgatherv(mine.data(), all.data(), counts);
  EXPECT_EQ(mpi::bytes_received() - before, (total - (me + 1)) * 8);
  // All-reduce of 6 doubles: 2 n (P - 1) / P bytes.
  std::vector<double> v(6, 1.0);
  before = mpi::bytes_received();
  comm.allreduce_sum(v.data(), 6);
  EXPECT_EQ(mpi::bytes_received() - before, static_cast<std::int64_t>(2.0 * 48 * (p - 1) / p));
  // Broadcast of 5 ints from rank 0: every other rank receives 20 bytes.
  std::vector<int> b(5, 3);
  before = mpi::bytes_received();
  comm.bcast(b.data(), 5, 0);
  EXPECT_EQ(mpi::bytes_received() - before, me == 0 || p == 1 ? 0 : 20);
}

}  // namespace
}  // namespace dnmf
