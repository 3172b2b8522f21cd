#pragma once
/// @file Per-phase wall-clock accumulators. Local only: reduce across ranks once, at the end.

#include <array>
#include <chrono>
#include <string_view>

namespace dnmf {

#ifdef DNMF_SIMULATED_CLOCK
/// The simulated clock (MPI_Wtime under SimGrid's SMPI; sim/), so that phases are timed in the
/// modelled platform's time rather than the simulator's.
double simulated_seconds();
#endif

/// Seconds on the clock phases are timed with: steady_clock, or the simulated one in sim/.
inline double phase_clock() {
#ifdef DNMF_SIMULATED_CLOCK
  return simulated_seconds();
#else
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
#endif
}

enum class Phase {
  gram,
  allgather,
  local_multiply,
  reduce_scatter,
  update,
  error,
  io,
  init,
  count
};

constexpr std::array<std::string_view, static_cast<int>(Phase::count)> phase_names = {
    "gram", "allgather", "local_multiply", "reduce_scatter", "update", "error", "io", "init"};

/// Seconds spent in each phase on this rank.
class PhaseTimers {
 public:
  void add(Phase p, double seconds) { seconds_[static_cast<int>(p)] += seconds; }
  double get(Phase p) const { return seconds_[static_cast<int>(p)]; }
  const std::array<double, static_cast<int>(Phase::count)>& all() const { return seconds_; }

  /// Adds the lifetime of the scope to phase `p`.
  class Scope {
   public:
    Scope(PhaseTimers& t, Phase p) : t_(t), p_(p), start_(phase_clock()) {}
    ~Scope() { t_.add(p_, phase_clock() - start_); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    PhaseTimers& t_;
    Phase p_;
    double start_;
  };
  Scope scope(Phase p) { return Scope(*this, p); }

 private:
  std::array<double, static_cast<int>(Phase::count)> seconds_{};
};

}  // namespace dnmf
