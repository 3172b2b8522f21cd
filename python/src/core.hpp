#pragma once
// The computations behind dnmf._core: a fit or a transform on numpy/scipy buffers or an HDF5
// object, in one process or across the ranks of an mpi4py communicator. Python validates the
// parameters and the local arrays (with scikit-learn's messages); everything computed comes from
// dnmf::NMF<T>.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <exception>
#include <optional>
#include <string>

#include "dnmf/app/config.hpp"
#include "dnmf/core/grid_shape.hpp"
#include "dnmf/mpi/comm.hpp"
#include "dnmf/nmf/params.hpp"

namespace dnmf::python {

namespace py = pybind11;

/// Ctrl-C (or any Python signal handler that raised) seen at an iteration boundary by some rank:
/// every rank throws it at the same boundary; Python gets KeyboardInterrupt.
struct Interrupted : std::exception {
  const char* what() const noexcept override { return "interrupted"; }
};

/// Where X comes from and how its rows are spread over the ranks.
enum class Layout {
  replicated,  ///< every rank passes the whole X; results are whole on every rank
  rows,        ///< every rank passes its own rows (distributed=True); W comes back by rows
  path         ///< "file.h5:/X", each rank reads its block; W comes back by rows
};

/// X as Python handed it over: a dense C-order array, a canonical CSR matrix, or a path.
struct Input {
  Layout layout = Layout::replicated;
  py::object dense;                  ///< 2-D C-contiguous float32 / float64 array
  py::object data, indices, indptr;  ///< CSR (sorted, no duplicates)
  std::int64_t rows = 0, cols = 0;   ///< CSR's shape (this rank's rows when Layout::rows)
  bool sparse = false;
  std::string path;  ///< Layout::path
};

/// Everything a call needs besides X.
struct Call {
  mpi::Comm comm;
  std::optional<GridShape> grid;
  NmfParams params;
  app::MissingSpec missing;  ///< missing='nan' / 'unstored'
};

/// fit_transform: returns a dict with W (rows as the layout says), H (k x p, whole on every
/// rank), n_iter, reconstruction_err, init_used, seed, grid, row_start, feature_names.
/// `w0` / `h0` are the custom init (None otherwise).
py::dict fit(const Call& call, const Input& x, py::object w0, py::object h0);

/// transform with the components `h` (k x p, whole on every rank) fixed: returns a dict with W,
/// n_iter, grid and row_start.
py::dict transform(const Call& call, const Input& x, py::object h);

/// W @ H for this rank's rows of W (local; no communication).
py::object matmul(py::object w, py::object h);

/// Runs `dnmf select-k` with `config` (its fits' parameters taken from `call`) over
/// `call.comm`; prints the table on rank 0's stdout; the results are in `config.output`.
/// Throws dnmf::Error.
void select_k(const Call& call, app::SelectKConfig config);

}  // namespace dnmf::python
