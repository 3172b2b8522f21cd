#pragma once
/// @file The checkpoint file's schema: typed values <-> the root attributes of a checkpoint (its
/// /W and /H are written and read by the fit command, in any layout).
///
/// Version 2 stores the run's parameters as the model file does (io/model_file.hpp: sklearn
/// names, real types, absent for None) plus init_W / init_H / dtype_option when given; version 1
/// held them as one "settings" text and is refused with a message saying so.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dnmf/io/hdf5.hpp"
#include "dnmf/nmf/params.hpp"
#include "dnmf/nmf/solver.hpp"

namespace dnmf::io {

/// Identifies an input matrix independently of the rank layout: shape and three global sums
/// (plain, squares, and position-weighted, so permuted data does not match).
struct Fingerprint {
  std::int64_t rows = 0, cols = 0;
  double sum = 0, sum_squares = 0, weighted = 0;
  /// Equal shapes and sums within 1e-10 relative (sums depend on the summation order).
  bool matches(const Fingerprint& o) const;
  std::string str() const;
};

/// What must be equal for a run to continue a checkpoint: everything that shapes the iterates
/// (not where or how often to checkpoint, the grid or the verbosity).
struct RunIdentity {
  NmfParams params;  ///< params.verbose is carried but not compared
  std::string init_W, init_H;
  std::optional<ElementType> dtype;  ///< --dtype as given
};

/// A checkpoint's metadata.
struct CheckpointInfo {
  RunIdentity run;
  Fingerprint input;
  SolverState state;
  Init init_used = Init::random;
  std::uint32_t seed = 0;
  std::int64_t n_components = 0;
  ElementType dtype = ElementType::float64;  ///< the computing type
};

std::vector<Attribute> checkpoint_attributes(const CheckpointInfo& c);
/// Back from the root attributes of `file`; InputError when they are not a dnmf checkpoint of
/// this version.
CheckpointInfo checkpoint_info(const std::vector<Attribute>& attrs, const std::string& file);

/// The first difference between the run that wrote a checkpoint and this one, as "tol was 0 in
/// the checkpointed run but is 0.001 now"; empty when they match.
std::string run_mismatch(const RunIdentity& saved, const RunIdentity& now);

}  // namespace dnmf::io
