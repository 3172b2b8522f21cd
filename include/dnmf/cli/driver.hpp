#pragma once
/// @file The `dnmf` executable as a function: MPI start-up, the command line (CLI11) and config
/// file on rank 0, one broadcast, the typed configuration on every rank, the subcommand, and the
/// error reporting and exit code. drivers/dnmf_main.cpp calls it with no hooks; the test driver
/// (tests/support) installs fault-injection hooks.

#include "dnmf/app/config.hpp"

namespace dnmf::cli {

/// Runs `dnmf argv...` and returns the process exit code.
int run(int argc, char** argv, const app::FitHooks& hooks = {});

}  // namespace dnmf::cli
