// dnmf._core: the pybind11 module behind the dnmf package (python/dnmf). Thin: it turns Python
// values into dnmf's typed parameters and inputs, runs core.cpp, and maps dnmf's exceptions to
// Python's.

#include <mpi4py/mpi4py.h>
#include <pybind11/pybind11.h>

#include <string>

#include "core.hpp"
#include "dnmf/core/error.hpp"

namespace py = pybind11;
using namespace dnmf;
using dnmf::python::Call;
using dnmf::python::Input;
using dnmf::python::Layout;

namespace {

/// The parameters Python has validated (scikit-learn's names; n_components None/int,
/// init "None" for the default, alpha_H None for 'same', beta_loss as text).
NmfParams params_from(const py::dict& d) {
  NmfParams p;
  py::object k = d["n_components"];
  if (!k.is_none()) p.n_components = k.cast<std::int64_t>();
  p.n_components_none = d["n_components_none"].cast<bool>();
  p.init = parse_init(d["init"].cast<std::string>());
  p.solver = parse_solver(d["solver"].cast<std::string>());
  p.beta_loss = d["beta_loss"].cast<std::string>();
  p.tol = d["tol"].cast<double>();
  p.max_iter = d["max_iter"].cast<std::int64_t>();
  py::object seed = d["random_state"];
  if (!seed.is_none()) p.random_state = seed.cast<std::uint32_t>();
  p.alpha_W = d["alpha_W"].cast<double>();
  py::object ah = d["alpha_H"];
  if (!ah.is_none()) p.alpha_H = ah.cast<double>();
  p.l1_ratio = d["l1_ratio"].cast<double>();
  p.verbose = d["verbose"].cast<int>();
  p.shuffle = d["shuffle"].cast<bool>();
  p.validate();
  return p;
}

/// A duplicate of the mpi4py communicator (MPI_ERRORS_RETURN set on it, freed with the call).
mpi::Comm comm_from(const py::object& comm) {
  MPI_Comm* c = PyMPIComm_Get(comm.ptr());
  if (!c) throw py::error_already_set();
  return mpi::Comm::wrap(*c).dup();
}

Call call_from(const py::object& comm, const py::object& grid, const py::dict& params) {
  Call call{comm_from(comm), std::nullopt, params_from(params), {}};
  // missing: None -> "", 'nan' or 'unstored' (checked by the Python side's constraints too)
  if (params.contains("missing"))
    call.missing = app::parse_missing(params["missing"].cast<std::string>(), "");
  if (!grid.is_none()) {
    auto t = grid.cast<std::pair<int, int>>();
    call.grid = GridShape{t.first, t.second};
  }
  return call;
}

/// ("dense", array) | ("csr", data, indices, indptr, rows, cols) | ("path", "file.h5:/X"),
/// with `distributed` telling whether each rank passes its own rows.
Input input_from(const py::tuple& x, bool distributed) {
  Input in;
  const std::string kind = x[0].cast<std::string>();
  if (kind == "path") {
    in.layout = Layout::path;
    in.path = x[1].cast<std::string>();
    return in;
  }
  in.layout = distributed ? Layout::rows : Layout::replicated;
  if (kind == "dense") {
    in.dense = x[1];
  } else if (kind == "csr") {
    in.sparse = true;
    in.data = x[1];
    in.indices = x[2];
    in.indptr = x[3];
    in.rows = x[4].cast<std::int64_t>();
    in.cols = x[5].cast<std::int64_t>();
  } else {
    throw py::value_error("unknown input kind " + kind);
  }
  return in;
}

PyObject* exception_for(ExitCode code) {
  switch (code) {
    case ExitCode::usage:
    case ExitCode::input:
      return PyExc_ValueError;
    case ExitCode::io:
      return PyExc_OSError;
    case ExitCode::out_of_memory:
      return PyExc_MemoryError;
    default:
      return PyExc_RuntimeError;
  }
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "dnmf's C++ estimator (use dnmf.NMF)";
  if (import_mpi4py() < 0) throw py::error_already_set();

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const dnmf::python::Interrupted&) {
      PyErr_SetNone(PyExc_KeyboardInterrupt);
    } catch (const Error& e) {
      // The exit code says which kind of failure it is (also for errors agreed by all ranks).
      PyErr_SetString(exception_for(e.code()), e.what());
    }
  });

  m.def(
      "fit",
      [](py::object comm, py::object grid, py::dict params, py::tuple x, bool distributed,
         py::object w0, py::object h0) {
        return dnmf::python::fit(call_from(comm, grid, params), input_from(x, distributed), w0, h0);
      },
      py::arg("comm"), py::arg("grid"), py::arg("params"), py::arg("x"), py::arg("distributed"),
      py::arg("W") = py::none(), py::arg("H") = py::none(),
      "fit_transform: a dict with W, H, n_iter, reconstruction_err, init_used, seed, grid, ...");
  m.def(
      "transform",
      [](py::object comm, py::object grid, py::dict params, py::tuple x, bool distributed,
         py::object h) {
        return dnmf::python::transform(call_from(comm, grid, params), input_from(x, distributed),
                                       h);
      },
      py::arg("comm"), py::arg("grid"), py::arg("params"), py::arg("x"), py::arg("distributed"),
      py::arg("H"), "transform with H fixed: a dict with W, n_iter, grid, ...");
  m.def(
      "select_k",
      [](py::object comm, py::dict params, std::string input, std::string output,
         std::int64_t first, std::int64_t last, std::int64_t step, std::int64_t replicates,
         double holdout, int group_size, bool rule_min) {
        app::SelectKConfig config;
        config.fit.input = std::move(input);
        config.output = std::move(output);
        config.k_first = first;
        config.k_last = last;
        config.k_step = step;
        config.replicates = replicates;
        config.holdout = holdout;
        config.group_size = group_size;
        config.rule_min = rule_min;
        const Call call = call_from(comm, py::none(), params);
        py::gil_scoped_release release;
        dnmf::python::select_k(call, std::move(config));
      },
      py::arg("comm"), py::arg("params"), py::arg("input"), py::arg("output"), py::arg("first"),
      py::arg("last"), py::arg("step"), py::arg("replicates"), py::arg("holdout"),
      py::arg("group_size"), py::arg("rule_min"),
      "dnmf select-k on an HDF5 input; the selection is written to `output`");
  m.def("matmul", &dnmf::python::matmul, py::arg("W"), py::arg("H"),
        "W @ H for this rank's rows of W");
}
