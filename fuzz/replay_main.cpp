// A plain main for the fuzz targets, for builds without libFuzzer (g++, the normal CI build):
// runs LLVMFuzzerTestOneInput once on every file named on the command line, or found in a
// folder named there (sorted, so runs are repeatable). A crash, sanitizer report or violated
// property ends the process like a failing test; otherwise it prints how many inputs passed.
//
//   fuzz_replay_config_parser fuzz/corpus/config_parser fuzz/regressions/config_parser

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

#include "fuzz_support.hpp"

namespace fs = std::filesystem;

namespace {
char g_current[4096] = "";

/// A violated property or an uncaught exception aborts: name the input and exit with 134, so
/// CTest sees an ordinary failure (which WILL_FAIL can invert) rather than a signal.
extern "C" void on_abort(int) {
  const char prefix[] = "replay: ABORTED on ";
  (void)!write(2, prefix, sizeof prefix - 1);
  (void)!write(2, g_current, std::strlen(g_current));
  (void)!write(2, "\n", 1);
  _exit(134);
}
}  // namespace

int main(int argc, char** argv) {
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    const fs::path p(argv[i]);
    if (fs::is_directory(p)) {
      for (const auto& entry : fs::directory_iterator(p)) {
        if (entry.is_regular_file() && entry.path().filename().string()[0] != '.') {
          inputs.push_back(entry.path());
        }
      }
    } else if (fs::is_regular_file(p)) {
      inputs.push_back(p);
    } else {
      std::cerr << argv[0] << ": no such file or folder: " << p << "\n";
      return 2;
    }
  }
  std::sort(inputs.begin(), inputs.end());
  if (inputs.empty()) {
    std::cerr << argv[0] << ": no inputs to replay\n";
    return 2;
  }
  std::signal(SIGABRT, on_abort);
  LLVMFuzzerInitialize(&argc, &argv);
  for (const fs::path& p : inputs) {
    std::ifstream in(p, std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
    std::snprintf(g_current, sizeof g_current, "%s", p.string().c_str());
    std::cout << "replay " << p.string() << " (" << bytes.size() << " bytes)" << std::endl;
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }
  // MPI is left initialized, as under libFuzzer: MPI_Finalize would dlclose Open MPI's
  // components, and LeakSanitizer's exit scan then crashes on their stale thread-local storage
  // ("Tracer caught signal 11").
  std::cout << inputs.size() << " passed, 0 failed" << std::endl;
  return 0;
}
