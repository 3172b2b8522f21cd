// GoogleTest main for MPI tests: every rank runs every test; only rank 0 prints; the exit code
// and the final verdict are agreed across ranks, so a failure on rank 3 fails the run and shows
// on rank 0's log.

#include <gtest/gtest.h>
#include <mpi.h>

#include <iostream>

#include "mpi_test_env.hpp"

namespace dnmf::test {
MPI_Comm world() {
  return MPI_COMM_WORLD;
}
}  // namespace dnmf::test

namespace {
/// Reports failures of other ranks on rank 0 after each test.
class CollectiveListener : public testing::EmptyTestEventListener {
  void OnTestEnd(const testing::TestInfo& info) override {
    int failed = info.result()->Failed() ? 1 : 0;
    int rank = 0, any = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0 && any > 0) {
      std::cout << "[ COLLECTIVE ] " << info.test_suite_name() << "." << info.name()
                << " failed on " << any << " rank(s)" << std::endl;
    }
  }
};
}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  testing::InitGoogleTest(&argc, argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  auto& listeners = testing::UnitTest::GetInstance()->listeners();
  if (rank != 0) delete listeners.Release(listeners.default_result_printer());
  listeners.Append(new CollectiveListener);
  const int local = RUN_ALL_TESTS();
  int global = 0;
  MPI_Allreduce(&local, &global, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (rank == 0) std::cout << (global == 0 ? "ALL RANKS PASSED" : "SOME RANK FAILED") << std::endl;
  MPI_Finalize();
  return global;
}
