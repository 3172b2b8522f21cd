#pragma once
// Shared helpers for MPI tests: the world communicator (only the test main touches
// MPI_COMM_WORLD), the grid shapes to try for the current rank count, and collective checks.
//
// Every rank runs every test. The test main agrees on each test's verdict across ranks, so a
// failure on any rank fails the test and rank 0 names the failing ranks. A check that decides
// whether the ranks go on into a collective must be taken by all of them together:
//   DNMF_ASSERT_ALL(cond)  on every rank: if cond is false on any rank, every rank fails and
//                          returns from the test (no rank is left waiting in a collective);
//   DNMF_EXPECT_ALL(cond)  the same, but the test goes on.
// Both are collectives themselves: call them on every rank, in the same order. A plain ASSERT_*
// (or an exception) on one rank while the others go on into a collective cannot deadlock the
// run: the failing rank waits a short grace period for the others at the end of the test
// (DNMF_TEST_GRACE_SECONDS, default 10), then prints why and calls MPI_Abort.

#include <gtest/gtest.h>
#include <mpi.h>

#include <vector>

#include "dnmf/core/grid_shape.hpp"

namespace dnmf::test {
MPI_Comm world();

/// Every PR x PC factorisation of p: both orientations and the square one.
inline std::vector<GridShape> all_grids(int p) {
  std::vector<GridShape> out;
  for (int pr = 1; pr <= p; ++pr)
    if (p % pr == 0) out.push_back({pr, p / pr});
  return out;
}

/// Collective: success when `ok` holds on every rank, else a failure on every rank that names
/// the condition and the ranks where it was false.
testing::AssertionResult on_all_ranks(bool ok, const char* condition);
}  // namespace dnmf::test

// The switch keeps a following `else` from binding to the macro's `if` (as GoogleTest does).
#define DNMF_CHECK_ALL_(cond, on_failure)                               \
  switch (0)                                                            \
  case 0:                                                               \
  default:                                                              \
    if (const ::testing::AssertionResult dnmf_all_ranks_ =              \
            ::dnmf::test::on_all_ranks(static_cast<bool>(cond), #cond)) \
      ;                                                                 \
    else                                                                \
      on_failure() << dnmf_all_ranks_.message()

#define DNMF_EXPECT_ALL(cond) DNMF_CHECK_ALL_(cond, ADD_FAILURE)
#define DNMF_ASSERT_ALL(cond) DNMF_CHECK_ALL_(cond, FAIL)
