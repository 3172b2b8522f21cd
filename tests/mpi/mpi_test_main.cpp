// GoogleTest main for MPI tests: every rank runs every test and rank 0 prints the progress. After
// each test the ranks agree on its verdict, so a failure on any rank fails that test on rank 0's
// log too, naming the failing ranks; other ranks print their own failure messages with their
// rank. The exit code is agreed as well. A rank that failed and finds the others do not reach
// the end of the test within a grace period (they wait in a collective it skipped) aborts the
// run instead of leaving it to hang until the CTest timeout (mpi_test_env.hpp).

#include <gtest/gtest.h>
#include <mpi.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "mpi_test_env.hpp"

namespace {
// Private duplicates of the world, so the harness's own collectives never match a test's.
MPI_Comm checks_comm = MPI_COMM_NULL;    // DNMF_EXPECT_ALL / DNMF_ASSERT_ALL
MPI_Comm verdicts_comm = MPI_COMM_NULL;  // the end-of-test agreement

constexpr const char* kCollectivePrefix = "Collective check failed: ";

int world_rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int world_size() {
  int p = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &p);
  return p;
}

/// "1, 3" for the ranks whose flag is set.
std::string rank_list(const std::vector<int>& flags) {
  std::string out;
  for (std::size_t r = 0; r < flags.size(); ++r)
    if (flags[r]) out += (out.empty() ? "" : ", ") + std::to_string(r);
  return out;
}

std::string full_name(const testing::TestInfo& info) {
  return std::string(info.test_suite_name()) + "." + info.name();
}

double grace_seconds() {
  const char* text = std::getenv("DNMF_TEST_GRACE_SECONDS");
  const double s = text ? std::atof(text) : 10.0;
  return s > 0 ? s : 10.0;
}

/// Forwards every event to rank 0's usual printer (none on other ranks), agrees on each test's
/// verdict at its end and reports failures of any rank.
class CollectiveReporter : public testing::TestEventListener {
 public:
  explicit CollectiveReporter(testing::TestEventListener* printer)
      : printer_(printer), rank_(world_rank()), size_(world_size()), grace_(grace_seconds()) {}

  void OnTestProgramStart(const testing::UnitTest& u) override {
    if (printer_) printer_->OnTestProgramStart(u);
  }
  void OnTestIterationStart(const testing::UnitTest& u, int i) override {
    if (printer_) printer_->OnTestIterationStart(u, i);
  }
  void OnEnvironmentsSetUpStart(const testing::UnitTest& u) override {
    if (printer_) printer_->OnEnvironmentsSetUpStart(u);
  }
  void OnEnvironmentsSetUpEnd(const testing::UnitTest& u) override {
    if (printer_) printer_->OnEnvironmentsSetUpEnd(u);
  }
  void OnTestSuiteStart(const testing::TestSuite& s) override {
    if (printer_) printer_->OnTestSuiteStart(s);
  }
#ifndef GTEST_REMOVE_LEGACY_TEST_CASEAPI_
  void OnTestCaseStart(const testing::TestCase& s) override {
    if (printer_) printer_->OnTestCaseStart(s);
  }
  void OnTestCaseEnd(const testing::TestCase& s) override {
    if (printer_) printer_->OnTestCaseEnd(s);
  }
#endif
  void OnTestStart(const testing::TestInfo& info) override {
    current_ = full_name(info);
    if (printer_) printer_->OnTestStart(info);
  }
  void OnTestDisabled(const testing::TestInfo& info) override {
    if (printer_) printer_->OnTestDisabled(info);
  }
  void OnTestSuiteEnd(const testing::TestSuite& s) override {
    if (printer_) printer_->OnTestSuiteEnd(s);
  }
  void OnEnvironmentsTearDownStart(const testing::UnitTest& u) override {
    if (printer_) printer_->OnEnvironmentsTearDownStart(u);
  }
  void OnEnvironmentsTearDownEnd(const testing::UnitTest& u) override {
    if (printer_) printer_->OnEnvironmentsTearDownEnd(u);
  }
  void OnTestProgramEnd(const testing::UnitTest& u) override {
    if (printer_) printer_->OnTestProgramEnd(u);
  }

  void OnTestPartResult(const testing::TestPartResult& part) override {
    if (printer_) printer_->OnTestPartResult(part);
    if (printer_ || !part.failed()) return;
    // Rank 0 prints an agreed collective check; other failures only their own rank knows.
    // (GoogleTest holds a lock here: asking it for the current test would deadlock.)
    const std::string message = part.message();
    if (message.find(kCollectivePrefix) != std::string::npos) return;
    std::ostringstream out;
    out << "[  FAILED  ] rank " << rank_ << " of " << size_ << ", " << current_ << ": "
        << (part.file_name() ? part.file_name() : "unknown file") << ":" << part.line_number()
        << "\n"
        << message << "\n";
    std::cout << out.str() << std::flush;  // one write, so ranks' lines do not interleave
  }

  void OnTestEnd(const testing::TestInfo& info) override {
    const std::vector<int> failed = agree(info);
    const std::string ranks = rank_list(failed);
    current_ = "(outside a test)";
    if (!printer_) return;
    if (ranks.empty() || failed[0]) printer_->OnTestEnd(info);
    if (ranks.empty()) return;
    std::cout << "[  FAILED  ] " << full_name(info) << " failed on rank(s) " << ranks << " of "
              << size_ << std::endl;
    failures_.push_back(full_name(info) + " (rank(s) " + ranks + ")");
  }

  void OnTestIterationEnd(const testing::UnitTest& u, int i) override {
    if (!printer_) return;
    printer_->OnTestIterationEnd(u, i);
    if (failures_.empty()) return;
    std::cout << "[ COLLECTIVE ] " << failures_.size() << " test(s) failed on some rank:\n";
    for (const auto& f : failures_) std::cout << "[ COLLECTIVE ]   " << f << "\n";
    std::cout << std::flush;
  }

 private:
  /// Every rank's pass/fail flag for the test that just ended. A rank that failed waits at
  /// most the grace period: if the others are still inside the test, they wait in a collective
  /// that the failure made it skip, and only aborting ends the run.
  std::vector<int> agree(const testing::TestInfo& info) {
    int mine = info.result()->Failed() ? 1 : 0;
    std::vector<int> all(static_cast<std::size_t>(size_), 0);
    MPI_Request request;
    MPI_Iallgather(&mine, 1, MPI_INT, all.data(), 1, MPI_INT, verdicts_comm, &request);
    if (!mine) {
      MPI_Wait(&request, MPI_STATUS_IGNORE);
      return all;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(grace_);
    for (int done = 0;;) {
      MPI_Test(&request, &done, MPI_STATUS_IGNORE);
      if (done) return all;
      if (std::chrono::steady_clock::now() > deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    std::ostringstream out;
    out << "[  ABORT   ] rank " << rank_ << " of " << size_ << ": " << full_name(info)
        << " failed here and the other ranks did not reach its end within " << grace_
        << " s (they wait in a collective the failure skipped); calling MPI_Abort\n";
    std::cerr << out.str() << std::flush;
    MPI_Abort(MPI_COMM_WORLD, 1);
    return all;
  }

  std::unique_ptr<testing::TestEventListener> printer_;
  int rank_, size_;
  double grace_;
  std::string current_ = "(outside a test)";
  std::vector<std::string> failures_;
};
}  // namespace

namespace dnmf::test {
MPI_Comm world() {
  return MPI_COMM_WORLD;
}

testing::AssertionResult on_all_ranks(bool ok, const char* condition) {
  int mine = ok ? 0 : 1;
  std::vector<int> failed(static_cast<std::size_t>(world_size()), 0);
  MPI_Allgather(&mine, 1, MPI_INT, failed.data(), 1, MPI_INT, checks_comm);
  const std::string ranks = rank_list(failed);
  if (ranks.empty()) return testing::AssertionSuccess();
  return testing::AssertionFailure() << kCollectivePrefix << condition << " is false on rank(s) "
                                     << ranks << " of " << failed.size() << ". ";
}
}  // namespace dnmf::test

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  testing::InitGoogleTest(&argc, argv);
  MPI_Comm_dup(MPI_COMM_WORLD, &checks_comm);
  MPI_Comm_dup(MPI_COMM_WORLD, &verdicts_comm);
  const int rank = world_rank();
  auto& listeners = testing::UnitTest::GetInstance()->listeners();
  testing::TestEventListener* printer = listeners.Release(listeners.default_result_printer());
  if (rank != 0) {
    delete printer;
    printer = nullptr;
  }
  listeners.Append(new CollectiveReporter(printer));
  const int local = RUN_ALL_TESTS();
  int global = 0;
  MPI_Allreduce(&local, &global, 1, MPI_INT, MPI_MAX, verdicts_comm);
  if (rank == 0) std::cout << (global == 0 ? "ALL RANKS PASSED" : "SOME RANK FAILED") << std::endl;
  MPI_Comm_free(&checks_comm);
  MPI_Comm_free(&verdicts_comm);
  MPI_Finalize();
  return global;
}
