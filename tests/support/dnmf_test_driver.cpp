// `dnmf` with test-only fault injection: the production driver (src/cli/driver.cpp) plus hooks
// that raise a real SIGUSR1 on the last rank only, at a chosen iteration boundary or in the middle
// of writing a chosen iteration's checkpoint. The environment picks them:
//   DNMF_TEST_SIGNAL_AFTER_ITERATION=N    after iteration N
//   DNMF_TEST_SIGNAL_DURING_CHECKPOINT=N  while the checkpoint of iteration N is written
//   DNMF_TEST_SIGNAL_BEFORE_READ=0        before X is read
// Used by tests/reliability/test_checkpoint.py and tests/cli/test_cli.py (DNMF_TEST_DRIVER).

#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <functional>

#include "dnmf/cli/driver.hpp"

namespace {

/// An integer from the environment, or -1 when unset.
std::int64_t env_int(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::atoll(v) : -1;
}

/// A hook raising SIGUSR1 on the last rank at iteration `at` (none when `at` < 0).
std::function<void(const dnmf::mpi::Comm&, std::int64_t)> signal_at(std::int64_t at) {
  if (at < 0) return {};
  return [at](const dnmf::mpi::Comm& comm, std::int64_t iteration) {
    if (comm.rank() == comm.size() - 1 && iteration == at) std::raise(SIGUSR1);
  };
}

}  // namespace

int main(int argc, char** argv) {
  dnmf::app::FitHooks hooks;
  hooks.at_boundary = signal_at(env_int("DNMF_TEST_SIGNAL_AFTER_ITERATION"));
  hooks.before_read = signal_at(env_int("DNMF_TEST_SIGNAL_BEFORE_READ"));
  hooks.before_checkpoint = signal_at(env_int("DNMF_TEST_SIGNAL_DURING_CHECKPOINT"));
  return dnmf::cli::run(argc, argv, hooks);
}
