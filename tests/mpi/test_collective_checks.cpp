// The test harness's collective checks (mpi_test_env.hpp). The DISABLED_ tests fail on purpose:
// dedicated CTest entries run them one at a time and check that the run ends within seconds,
// reporting the failing rank, instead of hanging in a collective (tests/CMakeLists.txt).

#include <gtest/gtest.h>
#include <mpi.h>

#include <stdexcept>
#include <string>

#include "mpi_test_env.hpp"

namespace dnmf::test {
namespace {

int rank_of_world() {
  int r = 0;
  MPI_Comm_rank(world(), &r);
  return r;
}

int size_of_world() {
  int p = 1;
  MPI_Comm_size(world(), &p);
  return p;
}

TEST(CollectiveChecks, AgreeOnEveryRankAndNameTheFailingOnes) {
  const int last = size_of_world() - 1;
  DNMF_EXPECT_ALL(true);
  // False on the last rank only: every rank sees the failure.
  const testing::AssertionResult r = on_all_ranks(rank_of_world() != last, "rank != last");
  EXPECT_FALSE(r) << "rank " << rank_of_world();
  EXPECT_NE(std::string(r.message()).find("false on rank(s) " + std::to_string(last)),
            std::string::npos)
      << r.message();
}

TEST(CollectiveChecks, DISABLED_AssertAllFailsEveryRankTogether) {
  const int last = size_of_world() - 1;
  DNMF_ASSERT_ALL(rank_of_world() != last) << "deliberate collective failure";
  MPI_Barrier(world());  // never reached: every rank returned above
}

TEST(CollectiveChecks, DISABLED_FatalFailureOnOneRankBeforeACollective) {
  const int last = size_of_world() - 1;
  if (rank_of_world() == last) FAIL() << "deliberate failure on the last rank";
  MPI_Barrier(world());  // the other ranks wait here for the rank that left
}

TEST(CollectiveChecks, DISABLED_ExceptionOnOneRankBeforeACollective) {
  const int last = size_of_world() - 1;
  if (rank_of_world() == last) throw std::runtime_error("deliberate exception on the last rank");
  MPI_Barrier(world());
}

}  // namespace
}  // namespace dnmf::test
