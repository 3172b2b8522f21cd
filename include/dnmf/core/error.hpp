#pragma once
/// @file Error types. Each carries the process exit code of the interface contract, so the
/// driver can map any failure to the documented code without knowing where it came from.

#include <stdexcept>
#include <string>

namespace dnmf {

/// Process exit codes (spec/interface.md, "Behaviour").
enum class ExitCode : int {
  ok = 0,
  internal = 1,       ///< anything else: a bug or an unexpected library failure
  usage = 2,          ///< invalid parameters or usage
  input = 3,          ///< invalid input data
  io = 4,             ///< file missing, unreadable, not HDF5, output not writable
  numerical = 5,      ///< a numerical routine did not converge (LAPACK info > 0)
  out_of_memory = 6,  ///< an allocation failed (std::bad_alloc, or a size beyond std::vector's)
  checkpointed = 75   ///< stopped early after writing a checkpoint
};

/// Base of every dnmf exception; `code()` is the exit code the driver should use.
class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& what) : std::runtime_error(what), code_(code) {}
  ExitCode code() const noexcept { return code_; }

 private:
  ExitCode code_;
};

/// A parameter or option is invalid (exit 2).
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& what) : Error(ExitCode::usage, what) {}
};

/// The input data are invalid: values, shapes, structure (exit 3).
class InputError : public Error {
 public:
  explicit InputError(const std::string& what) : Error(ExitCode::input, what) {}
};

/// A file cannot be read or written (exit 4).
class IoError : public Error {
 public:
  explicit IoError(const std::string& what) : Error(ExitCode::io, what) {}
};

/// A numerical routine failed on its data, e.g. an SVD that did not converge (exit 5). Not a
/// bug: the same input fails the same way.
class NumericalError : public Error {
 public:
  explicit NumericalError(const std::string& what) : Error(ExitCode::numerical, what) {}
};

/// An allocation failed (exit 6). mpi::agree and the driver give std::bad_alloc and
/// std::length_error this code too; code that finds a size it cannot allocate may throw it.
/// A plan too large for the memory a rank can have is refused earlier, as a UsageError.
class OutOfMemoryError : public Error {
 public:
  explicit OutOfMemoryError(const std::string& what) : Error(ExitCode::out_of_memory, what) {}
};

/// An internal failure: MPI, BLAS argument errors, broken invariants (exit 1).
class InternalError : public Error {
 public:
  explicit InternalError(const std::string& what) : Error(ExitCode::internal, what) {}
};

}  // namespace dnmf
