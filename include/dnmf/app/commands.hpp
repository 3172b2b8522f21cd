#pragma once
/// @file The driver's subcommands as functions of typed configurations (app/config.hpp): the
/// executable only parses the command line (src/cli) and calls these. Each is collective over
/// `comm` and throws dnmf::Error on failure.

#include <ostream>

#include "dnmf/app/config.hpp"
#include "dnmf/mpi/comm.hpp"

namespace dnmf::app {

/// Installs handlers that turn SIGUSR1 and SIGTERM into a request to checkpoint and stop at the
/// next iteration boundary. Only fits with --checkpoint install them (as early as they can).
void install_stop_signals();

/// `dnmf fit INPUT --output MODEL.h5 [options]`: reads X, initialises, fits, writes the model.
/// Progress and the summary go to `out` on rank 0. Returns the exit code: 0, or 75 when a
/// stop signal ended the run after writing a checkpoint (--checkpoint / --resume). `hooks` are
/// for tests only.
int fit(const mpi::Comm& comm, const RunConfig& config, std::ostream& out,
        const FitHooks& hooks = {});

/// `dnmf select-k INPUT --k A:B[:S] --output SELECTION.h5`: for each k and replicate, fits X
/// without a held-out fraction of its entries and measures the error on them; groups of ranks
/// take the fits from a queue. Prints the table and the chosen k, writes SELECTION.h5 and the
/// CSVs (and the plot, the refitted model). Returns the exit code: 0, or 75 when a stop signal
/// ended the run with the finished fits recorded in the checkpoint folder.
int select_k(const mpi::Comm& comm, const SelectKConfig& config, std::ostream& out);

/// `dnmf transform --model MODEL.h5 INPUT --output OUT.h5`: W for new data with the model's H
/// fixed (scikit-learn's transform); writes /W.
void transform(const mpi::Comm& comm, const ApplyConfig& config, std::ostream& out);

/// `dnmf inverse-transform --model MODEL.h5 INPUT --output OUT.h5`: writes /X = W H for the W in
/// INPUT (default object /W); refuses outputs above `config.max_output_gb`.
void inverse_transform(const mpi::Comm& comm, const ApplyConfig& config, std::ostream& out);

/// `dnmf convert SRC.mtx DST.h5[:/X]`: a Matrix Market coordinate file to an HDF5 CSR group
/// (AnnData convention). Rank 0 converts; the others wait.
void convert(const mpi::Comm& comm, const ConvertConfig& config, std::ostream& out);

/// `dnmf info INPUT`: shape, dtype and the memory each rank needs for `ranks` ranks and rank k.
void info(const mpi::Comm& comm, const InfoConfig& config, std::ostream& out);

}  // namespace dnmf::app
