#pragma once
/// @file What the fuzz targets share: the libFuzzer entry points, MPI set-up for one process, a
/// reader that turns the fuzz bytes into choices, and property failures.
///
/// Each target defines LLVMFuzzerInitialize and LLVMFuzzerTestOneInput. With clang and
/// DNMF_FUZZ=ON they link libFuzzer's main (fuzz/CMakeLists.txt); in every other build they link
/// replay_main.cpp, which feeds them the files named on its command line (the fuzz-regression
/// tests, fuzz/replay.cmake).

#include <mpi.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>

#include "dnmf/core/error.hpp"
#include "dnmf/mpi/comm.hpp"

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace dnmf::fuzz {

/// Starts MPI once, as a single process (a singleton: no launcher needed), and returns a
/// communicator over this process alone, so the readers run their collective code paths. Called
/// from the first input, not LLVMFuzzerInitialize, so that libFuzzer's signal handlers are in
/// place first. MPI is never finalized (see replay_main.cpp).
inline const mpi::Comm& self_comm() {
  static const mpi::Comm comm = [] {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
      // Open MPI would install its own SIGABRT/SIGSEGV handlers, which print a stack and exit
      // before libFuzzer can save the crashing input; sanitizers and libFuzzer report instead.
      ::setenv("OMPI_MCA_opal_signal", "", 0);
      int provided = 0;
      MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SINGLE, &provided);
    }
    return mpi::Comm::wrap(MPI_COMM_SELF).dup();  // owned: MPI_ERRORS_RETURN set
  }();
  return comm;
}

/// What the current input describes (set by the targets that build cases from the bytes),
/// printed with a violated property.
inline std::string& case_description() {
  static std::string text;
  return text;
}

/// A violated property of the code under test: print and abort, which libFuzzer (and CTest)
/// report as a crash, with the input saved.
[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "dnmf-fuzz: PROPERTY VIOLATED: %s\n", what.c_str());
  if (!case_description().empty()) {
    std::fprintf(stderr, "dnmf-fuzz: case: %s\n", case_description().c_str());
  }
  std::fflush(stderr);
  std::abort();
}

inline void expect(bool ok, const std::string& what) {
  if (!ok) fail(what);
}

/// An error raised for bad input must carry one of the exit codes the contract allows for it.
inline void expect_code(const Error& e, std::initializer_list<ExitCode> allowed,
                        const std::string& context) {
  for (ExitCode c : allowed) {
    if (e.code() == c) return;
  }
  fail(context + ": dnmf::Error with exit code " + std::to_string(static_cast<int>(e.code())) +
       ", not one the interface allows here: " + e.what());
}

/// Whether `triggered` inputs hit a known bug of dnmf that is reported and not fixed yet (each
/// call site names it; fuzz/README.md lists them). Such inputs are skipped, so that a fuzzing run
/// looks for new bugs instead of stopping at the known one, unless DNMF_FUZZ_STRICT=1: the
/// fuzz_open_* tests replay fuzz/regressions/<target>/open/ strictly and are expected to fail
/// until the fix lands (then move the input up one folder and delete the skip).
inline bool known_bug(bool triggered) {
  static const bool strict = [] {
    const char* v = std::getenv("DNMF_FUZZ_STRICT");
    return v && std::string(v) == "1";
  }();
  return triggered && !strict;
}

/// Consumes the fuzz bytes as a stream of choices; once they run out every choice is its lowest
/// value, so any input (even an empty one) describes a complete case.
class Choices {
 public:
  Choices(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }

  /// A value in [lo, hi], from as few bytes as the span needs.
  std::uint64_t range(std::uint64_t lo, std::uint64_t hi) {
    if (hi <= lo) return lo;
    const std::uint64_t span = hi - lo;
    std::uint64_t v = 0;
    for (std::uint64_t s = span; s != 0; s >>= 8) v = (v << 8) | byte();
    return span == UINT64_MAX ? v : lo + v % (span + 1);
  }
  int pick(int n) { return static_cast<int>(range(0, static_cast<std::uint64_t>(n - 1))); }
  bool flag() { return byte() & 1; }

  /// Up to `max` bytes: a length byte, then the bytes.
  std::string text(std::size_t max) {
    const std::size_t n = static_cast<std::size_t>(range(0, max));
    std::string s;
    for (std::size_t i = 0; i < n && pos_ < size_; ++i) s.push_back(static_cast<char>(byte()));
    return s;
  }
  /// The next `n` bytes, repeating the input (or zeros) when it runs out.
  void fill(unsigned char* out, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      out[i] = size_ == 0 ? 0 : data_[(pos_ + i) % size_];
    }
    pos_ = size_ == 0 ? 0 : pos_ + n;
    if (pos_ > size_) pos_ = size_;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

/// A file name for this process's scratch HDF5 file: $DNMF_FUZZ_TMPDIR, else /dev/shm (memory),
/// else $TMPDIR, else /tmp.
inline std::string scratch_file(const char* tag) {
  const char* dir = std::getenv("DNMF_FUZZ_TMPDIR");
  if (!dir || !*dir) dir = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : std::getenv("TMPDIR");
  if (!dir || !*dir) dir = "/tmp";
  return std::string(dir) + "/dnmf-fuzz-" + tag + "-" + std::to_string(::getpid()) + ".h5";
}

}  // namespace dnmf::fuzz
