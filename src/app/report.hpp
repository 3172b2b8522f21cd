#pragma once
// What the commands print: the progress table or heartbeat, the per-phase report, and the
// input named in data errors.

#include <ostream>
#include <string>

#include "dnmf/core/timers.hpp"
#include "dnmf/mpi/comm.hpp"
#include "dnmf/nmf/params.hpp"
#include "dnmf/nmf/solver.hpp"

namespace dnmf::app {

/// printf of one number, as a string.
std::string fmt(const char* format, double v);

/// Rank 0's per-iteration table (--verbose) or a heartbeat every 30 s on quiet long runs.
IterationObserver progress_printer(const mpi::Comm& comm, const NmfParams& params,
                                   std::ostream& out);

/// min / avg / max over ranks of the bytes received per iteration (`bytes` over `iters`
/// iterations on this rank), of the peak RSS and of each phase timer, printed by rank 0.
/// Collective.
void report_phases(const mpi::Comm& comm, const PhaseTimers& timers, std::int64_t iters,
                   std::int64_t bytes, std::ostream& out);

/// Runs `body`; an input-data error raised inside it gets `where` (the file and object it came
/// from) appended to its message, so the user knows which input to fix.
template <typename Body>
auto naming_input(const std::string& where, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const mpi::CollectiveError& e) {
    if (e.code() != ExitCode::input) throw;
    throw mpi::CollectiveError(e.code(), std::string(e.what()) + " [" + where + "]");
  }
}

}  // namespace dnmf::app
