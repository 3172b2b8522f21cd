#include "dnmf/mpi/comm.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <limits>
#include <new>
#include <stdexcept>
#include <thread>

namespace dnmf::mpi {

void check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw InternalError(std::string("MPI failure in ") + what + ": " + std::string(text, len));
}

int to_count(std::int64_t n, const char* what) {
  if (n < 0 || n > std::numeric_limits<int>::max()) {
    throw InternalError(std::string("message too large for one MPI call in ") + what + " (" +
                        std::to_string(n) + " elements)");
  }
  return static_cast<int>(n);
}

namespace {
std::int64_t read_max_count() {
  const char* text = std::getenv("DNMF_MPI_MAX_COUNT");
  if (text == nullptr || *text == '\0') return std::numeric_limits<int>::max();
  char* end = nullptr;
  const long long v = std::strtoll(text, &end, 10);
  if (*end != '\0' || v < 1 || v > std::numeric_limits<int>::max()) {
    throw UsageError("DNMF_MPI_MAX_COUNT must be an integer in [1, 2147483647], not '" +
                     std::string(text) + "'");
  }
  return v;
}

std::int64_t& max_count_ref() {
  static std::int64_t limit = read_max_count();
  return limit;
}
}  // namespace

std::int64_t max_count() {
  return max_count_ref();
}

void set_max_count(std::int64_t limit) {
  if (limit < 1 || limit > std::numeric_limits<int>::max()) {
    throw InternalError("set_max_count: " + std::to_string(limit) + " is not in [1, INT_MAX]");
  }
  max_count_ref() = limit;
}

namespace {
// bytes_received(): MPI is used from one thread per process.
#ifdef DNMF_SIMULATED_CLOCK
// Under SimGrid's SMPI without privatization, every simulated rank shares this file's globals
// (sim/): one counter per world rank. Simulated ranks switch only inside MPI calls, so the
// reference is used before any other rank can resize the vector.
std::int64_t& received() {
  static std::vector<std::int64_t> by_rank;
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  if (by_rank.size() <= static_cast<std::size_t>(r))
    by_rank.resize(static_cast<std::size_t>(r) + 1);
  return by_rank[static_cast<std::size_t>(r)];
}
#else
std::int64_t& received() {
  static std::int64_t n = 0;
  return n;
}
#endif

void count(double bytes) {
  received() += static_cast<std::int64_t>(bytes);
}

std::shared_ptr<MPI_Comm> owned(MPI_Comm c) {
  check(MPI_Comm_set_errhandler(c, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  return std::shared_ptr<MPI_Comm>(new MPI_Comm(c), [](MPI_Comm* p) {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized && *p != MPI_COMM_NULL) MPI_Comm_free(p);
    delete p;
  });
}

std::vector<std::int64_t> offsets(const std::vector<std::int64_t>& counts) {
  std::vector<std::int64_t> out(counts.size() + 1, 0);
  for (std::size_t r = 0; r < counts.size(); ++r) out[r + 1] = out[r] + counts[r];
  return out;
}

/// Calls `piece(offset, n)` over [0, count) in pieces of at most max_count() elements.
template <typename F>
void in_pieces(std::int64_t count, F piece) {
  for (std::int64_t off = 0; off < count; off += max_count()) {
    piece(off, static_cast<int>(std::min(max_count(), count - off)));
  }
}

std::vector<int> displacements(const std::vector<int>& counts) {
  std::vector<int> displs(counts.size(), 0);
  std::int64_t total = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    displs[r] = to_count(total, "displacement");
    total += counts[r];
  }
  return displs;
}

std::vector<int> to_counts(const std::vector<std::int64_t>& counts) {
  std::vector<int> out(counts.size());
  for (std::size_t r = 0; r < counts.size(); ++r) out[r] = to_count(counts[r], "counts");
  return out;
}
}  // namespace

std::int64_t bytes_received() {
  return received();
}

Comm Comm::wrap(MPI_Comm comm) {
  return Comm(std::make_shared<MPI_Comm>(comm));
}

Comm Comm::dup() const {
  MPI_Comm c;
  check(MPI_Comm_dup(get(), &c), "MPI_Comm_dup");
  return Comm(owned(c));
}

Comm Comm::split(int color, int key) const {
  MPI_Comm c;
  check(MPI_Comm_split(get(), color, key, &c), "MPI_Comm_split");
  return Comm(owned(c));
}

Comm Comm::split_shared() const {
  MPI_Comm c;
  check(MPI_Comm_split_type(get(), MPI_COMM_TYPE_SHARED, rank(), MPI_INFO_NULL, &c),
        "MPI_Comm_split_type");
  return Comm(owned(c));
}

int Comm::rank() const {
  int r = 0;
  check(MPI_Comm_rank(get(), &r), "MPI_Comm_rank");
  return r;
}

int Comm::size() const {
  int s = 0;
  check(MPI_Comm_size(get(), &s), "MPI_Comm_size");
  return s;
}

void Comm::barrier() const {
  check(MPI_Barrier(get()), "MPI_Barrier");
}

template <typename T>
void Comm::allreduce_sum(T* data, std::int64_t count) const {
  if (size() == 1 || count == 0) return;
  const int p = size();
  mpi::count(2.0 * static_cast<double>(count * sizeof(T)) * (p - 1) / p);
  in_pieces(count, [&](std::int64_t off, int n) {
    check(MPI_Allreduce(MPI_IN_PLACE, data + off, n, mpi_type<T>::get(), MPI_SUM, get()),
          "MPI_Allreduce");
  });
}

template <typename T>
T Comm::allreduce_max(T value) const {
  mpi::count(2.0 * sizeof(T) * (size() - 1) / size());
  check(MPI_Allreduce(MPI_IN_PLACE, &value, 1, mpi_type<T>::get(), MPI_MAX, get()),
        "MPI_Allreduce");
  return value;
}

template <typename T>
T Comm::allreduce_min(T value) const {
  mpi::count(2.0 * sizeof(T) * (size() - 1) / size());
  check(MPI_Allreduce(MPI_IN_PLACE, &value, 1, mpi_type<T>::get(), MPI_MIN, get()),
        "MPI_Allreduce");
  return value;
}

template <typename T>
void Comm::bcast(T* data, std::int64_t count, int root) const {
  if (size() == 1 || count == 0) return;
  if (rank() != root) mpi::count(static_cast<double>(count * sizeof(T)));
  in_pieces(count, [&](std::int64_t off, int n) {
    check(MPI_Bcast(data + off, n, mpi_type<T>::get(), root, get()), "MPI_Bcast");
  });
}

void Comm::bcast(std::string& text, int root) const {
  std::int64_t len = static_cast<std::int64_t>(text.size());
  bcast(&len, 1, root);
  text.resize(static_cast<std::size_t>(len));
  bcast(text.data(), len, root);
}

template <typename T>
void Comm::allgatherv(const T* send, T* recv, const std::vector<std::int64_t>& counts) const {
  const int me = rank();
  const std::vector<std::int64_t> at = offsets(counts);
  mpi::count(static_cast<double>((at.back() - counts[me]) * sizeof(T)));
  if (at.back() <= max_count()) {
    const std::vector<int> c = to_counts(counts);
    const std::vector<int> d = displacements(c);
    check(MPI_Allgatherv(send, c[me], mpi_type<T>::get(), recv, c.data(), d.data(),
                         mpi_type<T>::get(), get()),
          "MPI_Allgatherv");
    return;
  }
  // More than an int's worth in all: one broadcast from each rank, each in int-sized pieces.
  // The same bytes reach every rank; only the algorithm (and its latency) differs.
  std::copy(send, send + counts[me], recv + at[me]);
  for (int r = 0; r < size(); ++r) {
    in_pieces(counts[r], [&](std::int64_t off, int n) {
      check(MPI_Bcast(recv + at[r] + off, n, mpi_type<T>::get(), r, get()), "MPI_Bcast");
    });
  }
}

template <typename T>
void Comm::reduce_scatter_sum(const T* send, T* recv,
                              const std::vector<std::int64_t>& counts) const {
  const int me = rank();
  const std::vector<std::int64_t> at = offsets(counts);
  mpi::count(static_cast<double>((at.back() - counts[me]) * sizeof(T)));
  if (at.back() <= max_count()) {
    const std::vector<int> c = to_counts(counts);
    check(MPI_Reduce_scatter(send, recv, c.data(), mpi_type<T>::get(), MPI_SUM, get()),
          "MPI_Reduce_scatter");
    return;
  }
  // More than an int's worth in all: rank r's slice is a reduce to r, in int-sized pieces.
  for (int r = 0; r < size(); ++r) {
    in_pieces(counts[r], [&](std::int64_t off, int n) {
      check(MPI_Reduce(send + at[r] + off, r == me ? recv + off : nullptr, n, mpi_type<T>::get(),
                       MPI_SUM, r, get()),
            "MPI_Reduce");
    });
  }
}

template <typename T>
std::vector<T> Comm::alltoallv(const T* send, const std::vector<std::int64_t>& send_counts) const {
  const int p = size(), me = rank();
  std::vector<std::int64_t> recv_counts(static_cast<std::size_t>(p));
  check(MPI_Alltoall(send_counts.data(), 1, MPI_INT64_T, recv_counts.data(), 1, MPI_INT64_T, get()),
        "MPI_Alltoall");
  const std::vector<std::int64_t> from = offsets(send_counts), to = offsets(recv_counts);
  mpi::count(static_cast<double>((to.back() - recv_counts[me]) * sizeof(T)));
  std::vector<T> recv(static_cast<std::size_t>(to.back()));
  // Every rank must take the same branch: agree whether any rank's totals exceed the limit.
  // (Not counted in bytes_received: it is not part of the exchange's volume.)
  int big = from.back() <= max_count() && to.back() <= max_count() ? 0 : 1;
  check(MPI_Allreduce(MPI_IN_PLACE, &big, 1, MPI_INT, MPI_MAX, get()), "MPI_Allreduce");
  if (big == 0) {
    const std::vector<int> sc = to_counts(send_counts), rc = to_counts(recv_counts);
    const std::vector<int> sd = displacements(sc), rd = displacements(rc);
    check(MPI_Alltoallv(send, sc.data(), sd.data(), mpi_type<T>::get(), recv.data(), rc.data(),
                        rd.data(), mpi_type<T>::get(), get()),
          "MPI_Alltoallv");
    return recv;
  }
  // More than an int's worth: point-to-point pieces of at most max_count() elements per pair.
  std::vector<MPI_Request> requests;
  for (int r = 0; r < p; ++r) {
    in_pieces(recv_counts[r], [&](std::int64_t off, int n) {
      requests.emplace_back();
      check(MPI_Irecv(recv.data() + to[r] + off, n, mpi_type<T>::get(), r, 0, get(),
                      &requests.back()),
            "MPI_Irecv");
    });
  }
  for (int r = 0; r < p; ++r) {
    in_pieces(send_counts[r], [&](std::int64_t off, int n) {
      requests.emplace_back();
      check(MPI_Isend(send + from[r] + off, n, mpi_type<T>::get(), r, 0, get(), &requests.back()),
            "MPI_Isend");
    });
  }
  check(MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE),
        "MPI_Waitall");
  return recv;
}

#define DNMF_INSTANTIATE_COMM(T)                                                                   \
  template void Comm::allreduce_sum<T>(T*, std::int64_t) const;                                    \
  template T Comm::allreduce_max<T>(T) const;                                                      \
  template T Comm::allreduce_min<T>(T) const;                                                      \
  template void Comm::bcast<T>(T*, std::int64_t, int) const;                                       \
  template void Comm::allgatherv<T>(const T*, T*, const std::vector<std::int64_t>&) const;         \
  template void Comm::reduce_scatter_sum<T>(const T*, T*, const std::vector<std::int64_t>&) const; \
  template std::vector<T> Comm::alltoallv<T>(const T*, const std::vector<std::int64_t>&) const;
DNMF_INSTANTIATE_COMM(double)
DNMF_INSTANTIATE_COMM(float)
DNMF_INSTANTIATE_COMM(int)
DNMF_INSTANTIATE_COMM(std::int64_t)
DNMF_INSTANTIATE_COMM(std::uint64_t)
DNMF_INSTANTIATE_COMM(char)
#undef DNMF_INSTANTIATE_COMM

Environment::Environment(int& argc, char**& argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
}

Environment::~Environment() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

Comm Environment::world() const {
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  return Comm::wrap(MPI_COMM_WORLD);
}

std::string out_of_memory_message(const std::exception& e) {
  return std::string("out of memory: a buffer could not be allocated (") + e.what() +
         "); `dnmf info INPUT --ranks P --n-components K` shows the memory plan per rank";
}

bool all_failed_within(const Comm& spare, double seconds) {
  // Static: if the other ranks never join, this rank aborts with the request still pending.
  static int one = 1, sum = 0;
  MPI_Request request;
  if (MPI_Iallreduce(&one, &sum, 1, MPI_INT, MPI_SUM, spare.get(), &request) != MPI_SUCCESS) {
    return false;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (true) {
    int done = 0;
    if (MPI_Test(&request, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS) return false;
    if (done) return sum == spare.size();
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void raise_if_any(const Comm& comm, const std::exception_ptr& failure) {
  const int me = comm.rank();
  const int first = comm.allreduce_min(failure ? me : comm.size());
  if (first == comm.size()) return;
  int code = static_cast<int>(ExitCode::internal);
  std::string message;
  if (me == first) {
    try {
      std::rethrow_exception(failure);
    } catch (const Error& e) {
      code = static_cast<int>(e.code());
      message = e.what();
    } catch (const std::bad_alloc& e) {
      code = static_cast<int>(ExitCode::out_of_memory);
      message = out_of_memory_message(e);
    } catch (const std::length_error& e) {
      code = static_cast<int>(ExitCode::out_of_memory);
      message = out_of_memory_message(e);
    } catch (const std::exception& e) {
      message = e.what();
    } catch (...) {
      message = "unknown exception";
    }
  }
  comm.bcast(&code, 1, first);
  comm.bcast(message, first);
  throw CollectiveError(static_cast<ExitCode>(code), message);
}

}  // namespace dnmf::mpi
