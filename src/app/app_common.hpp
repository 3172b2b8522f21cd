#pragma once
// Pieces shared by the subcommands: dtype choice, reading factors from files, progress output,
// and the model file format.

#include <ostream>
#include <string>
#include <vector>

#include "dnmf/cli/settings.hpp"
#include "dnmf/core/timers.hpp"
#include "dnmf/io/hdf5.hpp"
#include "dnmf/nmf/estimator.hpp"

namespace dnmf::app {

std::string fmt(const char* format, double v);

/// --dtype if given, else float32 for float32 data and float64 otherwise (integers included).
io::ElementType compute_type(const io::DatasetInfo& x, const std::string& dtype);

/// Probes INPUT and rejects an empty matrix (InputError). Collective.
io::DatasetInfo probe_input(const mpi::Comm& comm, const std::string& input);

/// X's bytes in memory computed in `type`: every entry when dense, value and 64-bit index per
/// stored entry when sparse.
double x_memory_bytes(const io::DatasetInfo& x, io::ElementType type);

/// The grid for an m x n problem of rank k: `spec` ("PRxPC") if given, else choose_grid's, which
/// weighs the words moved against the passes over X (`x_bytes` in total; one pass when
/// `one_pass` and PC = 1). UsageError when it does not fit the job. Collective.
GridShape pick_grid(const mpi::Comm& comm, const std::string& spec, std::int64_t m, std::int64_t n,
                    std::int64_t k, double x_bytes = 0, bool one_pass = false);

/// Reads a k x p H stored in a file into the owned rows of Ht (p x k). Collective.
template <typename T>
void read_h_as_ht(const mpi::Comm& comm, const io::ObjectPath& path, DistFactor<T>& ht);

/// Reads X's block for this rank. Collective.
/// Reads an n x k W stored in a file into the owned rows of `w` (any layout). Collective.
template <typename T>
void read_w(const mpi::Comm& comm, const io::ObjectPath& path, DistFactor<T>& w);

template <typename T>
void read_x(const io::DatasetInfo& info, DistMatrix<T>& x, PhaseTimers& timers);

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

/// Rank 0's per-iteration table (--verbose) or a heartbeat every 30 s on quiet long runs.
IterationObserver progress_printer(const mpi::Comm& comm, const NmfParams& params,
                                   std::ostream& out);

/// min / avg / max over ranks of the bytes received per iteration (`bytes` over `iters`
/// iterations on this rank), of the peak RSS and of each phase timer, printed by rank 0.
/// Collective.
void report_phases(const mpi::Comm& comm, const PhaseTimers& timers, std::int64_t iters,
                   std::int64_t bytes, std::ostream& out);

/// Root attributes of a model: fitted attributes, every parameter under its sklearn name, and
/// dnmf_* facts of the run.
std::vector<io::Attribute> model_attributes(const NmfParams& p, std::int64_t k,
                                            std::int64_t n_features, std::int64_t n_iter,
                                            double err, Init init_used, const GridShape& grid,
                                            io::ElementType type, double seconds);

/// What `transform` and `inverse-transform` need from MODEL.h5.
struct ModelFile {
  std::string path;
  NmfParams params;
  std::int64_t n_components = 0;
  std::int64_t n_features = 0;
  io::ElementType type = io::ElementType::float64;
  std::vector<std::string> feature_names;
};
/// Reads and checks a model's attributes and /H shape. Collective.
ModelFile read_model(const mpi::Comm& comm, const std::string& path);

/// Writes /W from `w` and, when given, /H from `ht`, rows in item order, into an open file.
template <typename T>
void write_w_and_h(io::AtomicFileWriter& file, const DistFactor<T>& w, const DistFactor<T>* ht);

/// Writes `w` (n x k) as /W plus, when given, H (from Ht), names and attributes, atomically.
template <typename T>
void write_factors(const mpi::Comm& comm, const std::string& output, const DistFactor<T>& w,
                   const DistFactor<T>* ht, const std::vector<std::string>& feature_names,
                   const std::vector<io::Attribute>& attrs);

}  // namespace dnmf::app
