#pragma once
/// @file The MPI layer: RAII communicators with typed, checked collectives.
///
/// Only this folder includes <mpi.h> for the library's own use. Communicators created here use
/// MPI_ERRORS_RETURN, so a failing call becomes an exception instead of killing the job.

#include <mpi.h>

#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "dnmf/core/error.hpp"

namespace dnmf::mpi {

/// MPI datatype of a C++ scalar.
template <typename T>
struct mpi_type;
template <>
struct mpi_type<double> {
  static MPI_Datatype get() { return MPI_DOUBLE; }
};
template <>
struct mpi_type<float> {
  static MPI_Datatype get() { return MPI_FLOAT; }
};
template <>
struct mpi_type<int> {
  static MPI_Datatype get() { return MPI_INT; }
};
template <>
struct mpi_type<std::int64_t> {
  static MPI_Datatype get() { return MPI_INT64_T; }
};
template <>
struct mpi_type<std::uint64_t> {
  static MPI_Datatype get() { return MPI_UINT64_T; }
};
template <>
struct mpi_type<char> {
  static MPI_Datatype get() { return MPI_CHAR; }
};

/// Throws InternalError naming `what` when `rc` is not MPI_SUCCESS.
void check(int rc, const char* what);

/// Narrows a count to MPI's `int`, throwing if it does not fit.
int to_count(std::int64_t n, const char* what);

/// The most elements Comm passes to one MPI call: INT_MAX, or the environment's
/// DNMF_MPI_MAX_COUNT. A collective whose total is larger (an all-gather of more than 2^31
/// elements) is carried out in pieces: per-rank broadcasts, reduces or point-to-point messages,
/// with the same results (a reduce-scatter's sums may associate differently on 3+ ranks).
std::int64_t max_count();
/// Sets max_count() for this process (tests). Every rank of a communicator must agree.
void set_max_count(std::int64_t limit);

/// Bytes this process has received through Comm's collectives so far, counted as a
/// bandwidth-optimal algorithm moves them: allreduce of n bytes 2n(P-1)/P (a reduce-scatter and
/// an all-gather), broadcast n to every non-root, all-gather and reduce-scatter the total less
/// my own part, all-to-all what others send me. For benchmarks: the difference over an
/// iteration is that iteration's communication volume per rank.
std::int64_t bytes_received();

/// A communicator handle. Cheap to copy (shared ownership); it frees the MPI_Comm only if it
/// created it (split or dup), never one it merely wraps.
class Comm {
 public:
  /// Wraps an existing communicator without owning it (e.g. MPI_COMM_WORLD in a main).
  static Comm wrap(MPI_Comm comm);

  /// A duplicate owned by the result, with MPI_ERRORS_RETURN set.
  Comm dup() const;
  /// MPI_Comm_split; the result is owned and has MPI_ERRORS_RETURN set.
  Comm split(int color, int key) const;
  /// The ranks sharing this rank's node (MPI_Comm_split_type with MPI_COMM_TYPE_SHARED), owned,
  /// with MPI_ERRORS_RETURN set. Collective.
  Comm split_shared() const;

  MPI_Comm get() const { return *comm_; }
  int rank() const;
  int size() const;

  void barrier() const;

  /// In-place sum over all ranks.
  template <typename T>
  void allreduce_sum(T* data, std::int64_t count) const;
  template <typename T>
  T allreduce_sum(T value) const {
    allreduce_sum(&value, 1);
    return value;
  }
  template <typename T>
  T allreduce_max(T value) const;
  template <typename T>
  T allreduce_min(T value) const;

  template <typename T>
  void bcast(T* data, std::int64_t count, int root) const;
  /// Broadcasts a string of any length from `root`.
  void bcast(std::string& text, int root) const;

  /// Concatenates every rank's `send` (in rank order) into `recv`. `counts[r]` is rank r's
  /// number of elements; `recv` must hold their sum.
  ///   before: rank0 {a0 a1}, rank1 {b0}        after (all ranks): {a0 a1 b0}
  template <typename T>
  void allgatherv(const T* send, T* recv, const std::vector<std::int64_t>& counts) const;

  /// Personalised all-to-all: `send` holds the elements for rank 0, then rank 1, ... with
  /// `send_counts[r]` for rank r; returns what every rank sent to this one, in rank order.
  template <typename T>
  std::vector<T> alltoallv(const T* send, const std::vector<std::int64_t>& send_counts) const;

  /// Sums `send` (the same length, sum of `counts`, on every rank) elementwise and leaves rank r
  /// its own slice of `counts[r]` elements of the sum, in rank order.
  ///   before: rank0 {1 2 3}, rank1 {10 20 30}, counts {2 1}   after: rank0 {11 22}, rank1 {33}
  template <typename T>
  void reduce_scatter_sum(const T* send, T* recv, const std::vector<std::int64_t>& counts) const;

 private:
  explicit Comm(std::shared_ptr<MPI_Comm> comm) : comm_(std::move(comm)) {}
  std::shared_ptr<MPI_Comm> comm_;
};

/// Owns MPI_Init_thread / MPI_Finalize. Used only by executables' main functions.
class Environment {
 public:
  Environment(int& argc, char**& argv);
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;
  /// The world communicator, non-owning, with MPI_ERRORS_RETURN set.
  Comm world() const;
};

/// An error that every rank of a communicator raised together (see `agree`): safe to report
/// from rank 0 and return from, since no rank is left waiting in a collective.
class CollectiveError : public Error {
 public:
  CollectiveError(ExitCode code, const std::string& what) : Error(code, what) {}
};

/// Runs `body` on every rank and agrees on the outcome: if any rank threw, every rank throws the
/// error of the lowest failing rank as a CollectiveError (same exit code and message). `body` must
/// not start collectives that other ranks could skip by failing earlier.
template <typename Body>
void agree(const Comm& comm, Body&& body);

/// The message of an allocation failure (exit 6), naming `e` and where the plan is shown.
std::string out_of_memory_message(const std::exception& e);

/// After an error raised on this rank alone: whether every rank of `spare` (a communicator
/// used for nothing else) reports one too within `seconds`, through a nonblocking all-reduce
/// that ranks busy in other collectives cannot disturb. When all do (an allocation of the same
/// size failing everywhere), the error can be reported once and every rank can leave normally;
/// otherwise the caller must abort the job.
bool all_failed_within(const Comm& spare, double seconds);

/// Collective part of `agree`: `failure` is this rank's error, or null when it succeeded.
void raise_if_any(const Comm& comm, const std::exception_ptr& failure);

template <typename Body>
void agree(const Comm& comm, Body&& body) {
  std::exception_ptr failure;
  try {
    body();
  } catch (...) {
    failure = std::current_exception();
  }
  raise_if_any(comm, failure);
}

}  // namespace dnmf::mpi
