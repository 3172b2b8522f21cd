#pragma once
/// @file The driver's subcommands as library functions: the executable only parses the command
/// line and calls these. Each is collective over `comm` and throws dnmf::Error on failure.

#include <ostream>
#include <string>

#include "dnmf/cli/settings.hpp"
#include "dnmf/mpi/comm.hpp"

namespace dnmf::app {

/// `dnmf fit INPUT --output MODEL.h5 [settings]`: reads X, initialises, fits, writes the model.
/// Progress and the summary go to `out` on rank 0. Returns the exit code: 0, or 75 when a
/// stop signal ended the run after writing a checkpoint (--checkpoint / --resume).
int fit(const mpi::Comm& comm, const std::string& input, const std::string& output,
        const cli::Settings& settings, std::ostream& out);

/// `dnmf transform --model MODEL.h5 INPUT --output OUT.h5`: W for new data with the model's H
/// fixed (scikit-learn's transform); writes /W. `grid` is "PRxPC" or empty (automatic).
void transform(const mpi::Comm& comm, const std::string& model, const std::string& input,
               const std::string& output, const std::string& grid, std::ostream& out);

/// `dnmf inverse-transform --model MODEL.h5 INPUT --output OUT.h5`: writes /X = W H for the W in
/// INPUT (default object /W); refuses outputs above `max_output_gb`.
void inverse_transform(const mpi::Comm& comm, const std::string& model, const std::string& input,
                       const std::string& output, const std::string& grid, double max_output_gb,
                       std::ostream& out);

/// `dnmf convert SRC.mtx DST.h5[:/X]`: a Matrix Market coordinate file to an HDF5 CSR group
/// (AnnData convention). Rank 0 converts; the others wait.
void convert(const mpi::Comm& comm, const std::string& source, const std::string& target,
             std::ostream& out);

/// `dnmf info INPUT`: shape, dtype and the memory each rank needs for `ranks` ranks and rank k.
void info(const mpi::Comm& comm, const std::string& input, int ranks, std::int64_t k,
          std::ostream& out);

}  // namespace dnmf::app
