#pragma once
// Checkpoints of a fit: the stop signals, the input's fingerprint, and writing and reading the
// checkpoint file (its schema is io/checkpoint_file.hpp).

#include <string>

#include "dnmf/app/commands.hpp"
#include "dnmf/dist/dist_matrix.hpp"
#include "dnmf/io/checkpoint_file.hpp"

namespace dnmf::app {

/// Whether a stop signal reached this rank (ranks see signals at different moments; callers
/// agree collectively).
bool stop_signal_received();

/// X's layout-independent fingerprint. Collective.
template <typename T>
io::Fingerprint fingerprint(const DistMatrix<T>& x);

/// Writes W, H and the metadata atomically to `path`, keeping the previous file as path.prev.
template <typename T>
void write_checkpoint(const std::string& path, const io::CheckpointInfo& info,
                      const DistFactor<T>& w, const DistFactor<T>& ht);

/// Reads a checkpoint's metadata (rank 0 reads, all get it). Collective.
io::CheckpointInfo read_checkpoint(const mpi::Comm& comm, const std::string& path);

}  // namespace dnmf::app
