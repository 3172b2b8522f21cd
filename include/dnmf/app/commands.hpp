#pragma once
/// @file The driver's subcommands as library functions: the executable only parses the command
/// line and calls these. Each is collective over `comm` and throws dnmf::Error on failure.

#include <ostream>
#include <string>

#include "dnmf/cli/settings.hpp"
#include "dnmf/mpi/comm.hpp"

namespace dnmf::app {

/// `dnmf fit INPUT --output MODEL.h5 [settings]`: reads X, initialises, fits, writes the model.
/// Progress and the summary go to `out` on rank 0.
void fit(const mpi::Comm& comm, const std::string& input, const std::string& output,
         const cli::Settings& settings, std::ostream& out);

/// `dnmf info INPUT`: shape, dtype and the memory each rank needs for `ranks` ranks and rank k.
void info(const mpi::Comm& comm, const std::string& input, int ranks, std::int64_t k,
          std::ostream& out);

}  // namespace dnmf::app
