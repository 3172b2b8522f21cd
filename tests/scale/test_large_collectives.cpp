// Collectives of more than 2^31 elements on 2 ranks (issue #18's 32-bit limits): MPI counts are
// int, so Comm carries these in pieces (mpi::max_count). Chars keep the memory affordable:
// 8.6 GB for both ranks. Every byte is checked against its formula.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "../mpi/test_helpers.hpp"
#include "dnmf/mpi/comm.hpp"

namespace dnmf {
namespace {

constexpr std::int64_t kOver = (std::int64_t{1} << 31) + (std::int64_t{1} << 20);

// Cheap to compute (the test checks billions of bytes), and a shift by any offset changes it.
char byte_of(int rank, std::int64_t i) {
  return static_cast<char>(i ^ (i >> 11) ^ (i >> 23) ^ (rank * 17));
}

/// The first index where `v` differs from byte_of(rank, first + i), or -1.
std::int64_t first_wrong(const char* v, std::int64_t n, int rank, std::int64_t first) {
  for (std::int64_t i = 0; i < n; ++i)
    if (v[i] != byte_of(rank, first + i)) return i;
  return -1;
}

TEST(LargeCollectives, AllToAllPairAndAllGatherOfMoreThan2To31Elements) {
  const mpi::Comm comm = test::world_comm();
  ASSERT_EQ(comm.size(), 2);
  const int me = comm.rank();
  {
    // One pair of more than 2^31 elements: rank 1 sends rank 0 all but 10, and itself 10.
    std::vector<char> v;
    if (me == 1) {
      v.resize(static_cast<std::size_t>(kOver));
      for (std::int64_t i = 0; i < kOver; ++i) v[i] = byte_of(1, i);
    }
    const std::vector<std::int64_t> send_counts =
        me == 1 ? std::vector<std::int64_t>{kOver - 10, 10} : std::vector<std::int64_t>{0, 0};
    const std::vector<char> got = comm.alltoallv(v.data(), send_counts);
    ASSERT_EQ(static_cast<std::int64_t>(got.size()), me == 0 ? kOver - 10 : 10);
    EXPECT_EQ(
        first_wrong(got.data(), static_cast<std::int64_t>(got.size()), 1, me == 0 ? 0 : kOver - 10),
        -1);
  }
  // An all-gather of more than 2^31 in all, from uneven parts: the second starts past 2^30.
  const std::vector<std::int64_t> counts{kOver / 2 + 12345, kOver - (kOver / 2 + 12345)};
  std::vector<char> mine(static_cast<std::size_t>(counts[me]));
  for (std::int64_t i = 0; i < counts[me]; ++i) mine[i] = byte_of(me, i);
  std::vector<char> all(static_cast<std::size_t>(kOver));
  const std::int64_t before = mpi::bytes_received();
  comm.allgatherv(mine.data(), all.data(), counts);
  EXPECT_EQ(mpi::bytes_received() - before, counts[1 - me]);
  EXPECT_EQ(first_wrong(all.data(), counts[0], 0, 0), -1);
  EXPECT_EQ(first_wrong(all.data() + counts[0], counts[1], 1, 0), -1);
}

}  // namespace
}  // namespace dnmf
