#pragma once
/// @file What each subcommand runs with, parsed and validated once at the edge (the command line
/// and config file, src/cli) into typed values. Nothing below the edge sees option text.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "dnmf/core/grid_shape.hpp"
#include "dnmf/io/hdf5.hpp"
#include "dnmf/nmf/params.hpp"

namespace dnmf::app {

/// Where and how often to checkpoint, and what to resume from.
struct CheckpointPlan {
  std::string path;        ///< --checkpoint (empty: none)
  std::int64_t every = 0;  ///< --checkpoint-every iterations (0: only on signals / time)
  double seconds = 0;      ///< --checkpoint-seconds (0: off)
  std::string resume;      ///< --resume (empty: none)
};

/// Which entries of X are missing (issue #16): --missing nan | unstored, --mask FILE.h5:/M.
struct MissingSpec {
  bool nan = false;       ///< NaN entries (dense X) are missing, not an error
  bool unstored = false;  ///< sparse X: only the stored entries are observed
  std::string mask;  ///< a dataset or sparse group of X's shape, nonzero = observed (empty: none)
  bool any() const { return nan || unstored || !mask.empty(); }
};

/// `missing` ("", nan or unstored) and `mask` (a path or "") as a MissingSpec, for the CLI's
/// --missing/--mask and the Python package's missing=. Throws UsageError (src/app/missing.cpp).
MissingSpec parse_missing(const std::string& missing, const std::string& mask);

/// `dnmf fit`.
struct RunConfig {
  std::string input;   ///< file.h5 or file.h5:/path
  std::string output;  ///< the model file
  NmfParams params;
  std::optional<io::ElementType> dtype;  ///< --dtype; nullopt: the input's (float64 for ints)
  std::optional<GridShape> grid;         ///< --grid; nullopt: chosen by cost
  std::string init_W, init_H;            ///< custom-init objects (with init='custom')
  CheckpointPlan checkpoint;
  MissingSpec missing;
};

/// `dnmf select-k` (issue #17): cross-validated choice of k over groups of ranks.
struct SelectKConfig {
  /// The fits' settings: input, params (n_components is set per task), dtype, missing entries
  /// of X itself; `checkpoint.path` is the folder of finished tasks.
  RunConfig fit;
  std::string output;  ///< SELECTION.h5 (SELECTION.csv and SELECTION.tasks.csv beside it)
  std::int64_t k_first = 0, k_last = 0, k_step = 1;
  std::int64_t replicates = 3;
  double holdout = 0.1;
  int group_size = 0;     ///< ranks per group (0: chosen from X's size and the tasks)
  bool rule_min = false;  ///< --rule min instead of the one-standard-error rule
  bool resume = false;    ///< skip the tasks recorded in the checkpoint folder
  std::string refit;      ///< fit the whole X at the chosen k and write this model
  std::string plot;       ///< draw the selection as this PNG
};

/// `dnmf transform` and `dnmf inverse-transform`.
struct ApplyConfig {
  std::string model, input, output;
  std::optional<GridShape> grid;
  double max_output_gb = 64;  ///< inverse-transform only
  MissingSpec missing;        ///< transform only
};

/// `dnmf convert`.
struct ConvertConfig {
  std::string source, target;
  /// Replace an object that already exists at the target's path (the file's other objects are
  /// kept either way).
  bool overwrite = false;
};

/// `dnmf info`.
struct InfoConfig {
  std::string input;
  int ranks = 0;  ///< plan for this many ranks
  std::int64_t k = 20;
  NmfParams params;  ///< the fit planned for: solver, beta_loss and init (k is `k`)
  std::optional<io::ElementType> dtype;
  bool masked = false;  ///< planned with --missing or --mask (the mask's byte per entry)
  std::string mask;     ///< --mask: with sparse X its observed entries become the stored ones
};

/// Test-only callbacks into a fit (the production driver never sets them): fault injection for
/// the checkpoint tests. Each is called on every rank of `comm`, with checkpointing enabled only.
struct FitHooks {
  /// At every iteration boundary, before the ranks agree whether to checkpoint or stop.
  std::function<void(const mpi::Comm& comm, std::int64_t iteration)> at_boundary;
  /// Before X is read (iteration 0): a signal here must still end in a checkpoint.
  std::function<void(const mpi::Comm& comm, std::int64_t iteration)> before_read;
  /// Just before the checkpoint of `iteration` is written.
  std::function<void(const mpi::Comm& comm, std::int64_t iteration)> before_checkpoint;
};

}  // namespace dnmf::app
