#pragma once
// Checkpoint files: everything needed to continue a fit bit for bit at an iteration boundary,
// plus what proves the checkpoint belongs to this input and these parameters.

#include <string>

#include "dnmf/cli/settings.hpp"
#include "dnmf/nmf/estimator.hpp"

namespace dnmf::app {

/// Installs handlers that turn SIGUSR1 and SIGTERM into a request to checkpoint and stop at the
/// next iteration boundary. Only fits with --checkpoint install them.
void install_stop_signals();
/// Whether a stop signal reached this rank (ranks see signals at different moments; callers
/// agree collectively).
bool stop_signal_received();

/// Identifies an input matrix independently of the rank layout: shape and three global sums
/// (plain, squares, and position-weighted, so permuted data does not match).
struct Fingerprint {
  std::int64_t rows = 0, cols = 0;
  double sum = 0, sum_squares = 0, weighted = 0;
  /// Equal shapes and sums within 1e-10 relative (sums depend on the summation order).
  bool matches(const Fingerprint& o) const;
  std::string str() const;
};
template <typename T>
Fingerprint fingerprint(const DistMatrix<T>& x);  ///< collective

/// A checkpoint's metadata (the factors are read separately into any layout).
struct CheckpointInfo {
  std::string path;
  cli::Settings settings;  ///< the run's settings, as given
  Fingerprint input;
  SolverState state;
  Init init_used = Init::random;
  std::uint32_t seed = 0;
  std::int64_t n_components = 0;
  std::string dtype;
};

/// Writes W, H and the metadata atomically to `path`, keeping the previous file as path.prev.
template <typename T>
void write_checkpoint(const std::string& path, const CheckpointInfo& info, const DistFactor<T>& w,
                      const DistFactor<T>& ht);

/// Reads a checkpoint's metadata (rank 0 reads, all get it). Collective.
CheckpointInfo read_checkpoint(const mpi::Comm& comm, const std::string& path);

/// The settings that must be equal for a resume (all but where and how often to checkpoint,
/// the grid and the verbosity). Returns an empty string when they match, else what differs.
std::string settings_mismatch(const cli::Settings& saved, const cli::Settings& now);

}  // namespace dnmf::app
