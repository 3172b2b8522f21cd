#include "core.hpp"

#include <Python.h>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <memory>
#include <vector>

#include "dnmf/app/commands.hpp"
#include "dnmf/dist/dist_matrix.hpp"
#include "dnmf/dist/grid.hpp"
#include "dnmf/io/hdf5.hpp"
#include "dnmf/la/blas.hpp"
#include "dnmf/nmf/estimator.hpp"
#include "dnmf/nmf/init.hpp"
#include "factor_io.hpp"
#include "missing.hpp"
#include "plan.hpp"
#include "report.hpp"

namespace dnmf::python {
namespace {

template <typename T>
using Array = py::array_t<T, py::array::c_style | py::array::forcecast>;
using Index = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

bool is_float32(const py::object& a) {
  return py::array::ensure(a).dtype().is(py::dtype::of<float>());
}

template <typename T>
py::array_t<T> to_numpy(const Matrix<T>& m) {
  py::array_t<T> out({m.rows(), m.cols()});
  if (m.size() > 0) {
    std::memcpy(out.mutable_data(), m.data(), static_cast<std::size_t>(m.size()) * sizeof(T));
  }
  return out;
}

/// X on its grid, with what the results need to know about where its rows came from.
template <typename T>
struct Placed {
  py::object keep;  ///< the array X's block borrows from, alive as long as the block
  std::unique_ptr<ProcessGrid> grid;
  std::unique_ptr<DistMatrix<T>> x;
  std::vector<std::string> feature_names;  ///< from the file (Layout::path), when all strings
};

/// The rows per rank of a row-distributed X: every rank's count, agreed with the others' column
/// counts. Collective.
Axis row_axis_of(const mpi::Comm& comm, std::int64_t my_rows, std::int64_t my_cols) {
  const std::int64_t lo = comm.allreduce_min(my_cols), hi = comm.allreduce_max(my_cols);
  if (lo != hi) {
    throw InputError("distributed=True: every rank must pass the same number of features (" +
                     std::to_string(lo) + " to " + std::to_string(hi) + " given)");
  }
  std::vector<std::int64_t> counts(static_cast<std::size_t>(comm.size()), 1);
  std::vector<std::int64_t> rows(static_cast<std::size_t>(comm.size()));
  comm.allgatherv(&my_rows, rows.data(), counts);
  std::vector<std::int64_t> bounds{0};
  for (std::int64_t r : rows) bounds.push_back(bounds.back() + r);
  return Axis(bounds);
}

/// Fills a sparse block from a canonical CSR matrix whose rows start at global row
/// `first_row`: the entries of the block's rows and columns, with block-local indices.
template <typename T>
void fill_csr_block(const Input& in, std::int64_t first_row, DistMatrix<T>& x) {
  Array<T> data(in.data);
  Index indices(in.indices), indptr(in.indptr);
  const T* v = data.data();
  const std::int64_t* ix = indices.data();
  const std::int64_t* ip = indptr.data();
  const Range rows = x.row_range(), cols = x.col_range();
  Csr<T>& c = x.csr();
  c.rows = rows.size;
  c.cols = cols.size;
  c.indptr.assign(1, 0);
  c.indices.clear();
  c.values.clear();
  for (std::int64_t i = 0; i < rows.size; ++i) {
    const std::int64_t r = rows.begin + i - first_row;
    for (std::int64_t e = ip[r]; e < ip[r + 1]; ++e) {
      const std::int64_t j = ix[e];
      if (j >= cols.begin && j < cols.begin + cols.size) {
        c.indices.push_back(j - cols.begin);
        c.values.push_back(v[e]);
      }
    }
    c.indptr.push_back(static_cast<std::int64_t>(c.values.size()));
  }
}

template <typename T>
void fill_dense_block(const Input& in, std::int64_t first_row, DistMatrix<T>& x) {
  Array<T> a(in.dense);
  const std::int64_t p = a.shape(1);
  const Range rows = x.row_range(), cols = x.col_range();
  Matrix<T>& block = x.local();
  for (std::int64_t i = 0; i < rows.size; ++i) {
    const T* src = a.data() + (rows.begin + i - first_row) * p + cols.begin;
    std::copy(src, src + cols.size, block.row(i));
  }
}

/// X's dense block over the caller's array itself when the block holds whole rows (one grid
/// column): rows `first`.. of the array are my block's rows. Null when it would need a copy, or
/// when X's block will be written (`writes`: missing entries are zeroed in it).
template <typename T>
std::unique_ptr<DistMatrix<T>> borrowed_block(const ProcessGrid& grid, const Axis& rows,
                                              const Axis& cols, const Array<T>& a,
                                              std::int64_t first, bool writes) {
  if (grid.pc() != 1 || writes) return nullptr;
  const Range mine = rows.block(grid.my_row());
  // X is only read: the const_cast lets a read-only numpy array be used in place too.
  T* start = const_cast<T*>(a.data()) + (mine.begin - first) * cols.size();
  return std::make_unique<DistMatrix<T>>(grid, rows, cols,
                                         Matrix<T>::borrow(start, mine.size, cols.size()));
}

std::int64_t input_rows(const Input& in) {
  return in.sparse ? in.rows : py::array::ensure(in.dense).shape(0);
}
std::int64_t input_cols(const Input& in) {
  return in.sparse ? in.cols : py::array::ensure(in.dense).shape(1);
}

/// The grid and X's blocks on it. `k` is the rank planned for (the grid's cost model);
/// `fitting` chooses the grid as `dnmf fit` does, else as `dnmf transform` does. Collective.
template <typename T>
Placed<T> place_blocks(const Call& call, const Input& in, const io::DatasetInfo* file,
                       std::int64_t k, bool fitting) {
  Placed<T> out;
  const bool writes = call.missing.any();
  const mpi::Comm& comm = call.comm;
  if (in.layout == Layout::rows) {
    const Axis rows = row_axis_of(comm, input_rows(in), input_cols(in));
    const GridShape shape = call.grid.value_or(GridShape{comm.size(), 1});
    if (shape.pc != 1 || shape.pr != comm.size()) {
      throw UsageError("distributed=True takes X by rows: its grid must be " +
                       std::to_string(comm.size()) + "x1, not " + shape.str());
    }
    out.grid = std::make_unique<ProcessGrid>(comm, shape);
    const std::int64_t p = input_cols(in);
    if (!in.sparse) {  // my rows are the whole array: used in place (unless written)
      Array<T> a(in.dense);
      const std::int64_t first = rows.block(out.grid->my_row()).begin;
      out.x = borrowed_block(*out.grid, rows, Axis::uniform(p, 1), a, first, writes);
      if (!out.x) {
        out.x =
            std::make_unique<DistMatrix<T>>(*out.grid, rows, Axis::uniform(p, 1), Storage::dense);
        fill_dense_block(in, first, *out.x);
      }
      out.keep = std::move(a);
      return out;
    }
    out.x = std::make_unique<DistMatrix<T>>(*out.grid, rows, Axis::uniform(p, 1), Storage::sparse);
    fill_csr_block(in, out.x->row_range().begin, *out.x);
    return out;
  }
  io::DatasetInfo info;
  if (file) {
    info = *file;
  } else {
    info.rows = input_rows(in);
    info.cols = input_cols(in);
    info.sparse = in.sparse;
    info.type = std::is_same<T, float>::value ? io::ElementType::float32 : io::ElementType::float64;
    info.nnz = in.sparse ? static_cast<std::int64_t>(py::len(in.data)) : info.rows * info.cols;
  }
  const io::ElementType type =
      std::is_same<T, float>::value ? io::ElementType::float32 : io::ElementType::float64;
  const GridShape shape = fitting ? app::pick_grid(comm, call.grid, info.rows, info.cols, k,
                                                   app::x_memory_bytes(info, type),
                                                   !info.sparse && uses_one_pass(call.params))
                                  : app::pick_grid(comm, call.grid, info.rows, info.cols, k);
  out.grid = std::make_unique<ProcessGrid>(comm, shape);
  if (!file && !in.sparse) {  // the whole X on every rank: my block in place when it can be
    Array<T> a(in.dense);
    out.x = borrowed_block(*out.grid, Axis::uniform(info.rows, shape.pr),
                           Axis::uniform(info.cols, shape.pc), a, 0, writes);
    if (!out.x) {
      out.x = std::make_unique<DistMatrix<T>>(*out.grid, info.rows, info.cols, Storage::dense);
      fill_dense_block(in, 0, *out.x);
    }
    out.keep = std::move(a);
    return out;
  }
  out.x = std::make_unique<DistMatrix<T>>(*out.grid, info.rows, info.cols,
                                          info.sparse ? Storage::sparse : Storage::dense);
  if (file) {
    PhaseTimers timers;
    app::read_x(info, *out.x, timers);
    io::NameList names = io::read_feature_names(comm, info.path.file);
    mpi::agree(comm, [&] {
      if (names.strings && !names.path.object.empty() && names.length != info.cols) {
        throw InputError("'" + names.path.str() + "' holds " + std::to_string(names.length) +
                         " feature names, but X (" + info.path.str() + ") has " +
                         std::to_string(info.cols) + " features");
      }
    });
    if (names.strings && names.length == info.cols) out.feature_names = std::move(names.values);
  } else {
    fill_csr_block(in, 0, *out.x);
  }
  return out;
}

/// place_blocks, then `missing=` applied to X's blocks as `--missing` does (fit checks the
/// columns too; transform only the rows, H being fixed).
template <typename T>
Placed<T> place(const Call& call, const Input& in, const io::DatasetInfo* file, std::int64_t k,
                bool fitting) {
  Placed<T> out = place_blocks<T>(call, in, file, k, fitting);
  if (call.missing.any()) {
    // An array has no path: the messages then name "the input array".
    app::apply_missing(call.missing, file ? *file : io::DatasetInfo{}, *out.x, fitting);
  }
  return out;
}

/// W as the layout returns it: whole (replicated), or this rank's rows in item order and the
/// first one's index.
template <typename T>
std::pair<Matrix<T>, std::int64_t> result_rows(const DistFactor<T>& w, Layout layout) {
  if (layout == Layout::replicated) return {app::gather_whole(w), 0};
  std::pair<Matrix<T>, std::int64_t> out;
  in_item_order(w, [&](const DistFactor<T>& g) {
    out.first = g.local();
    out.second = g.owned().begin;
  });
  return out;
}

/// W0 on X's grid: the whole n x k (replicated, path), or this rank's rows (Layout::rows).
template <typename T>
DistFactor<T> w_start(const Placed<T>& d, Layout layout, const py::object& w0, std::int64_t k) {
  Array<T> a(w0);
  const DistMatrix<T>& x = *d.x;
  const mpi::Comm& all = d.grid->all();
  mpi::agree(all, [&] {
    const std::int64_t want = layout == Layout::rows ? x.row_range().size : x.rows();
    if (a.ndim() != 2 || a.shape(0) != want || a.shape(1) != k) {
      throw InputError("Array with wrong " + std::string(a.shape(0) != want ? "first" : "second") +
                       " dimension passed to NMF (input W). Expected " +
                       std::to_string(a.shape(0) != want ? want : k) + ", but got " +
                       std::to_string(a.shape(0) != want ? a.shape(0) : a.shape(1)) +
                       (layout == Layout::rows ? " (this rank's rows)" : ""));
    }
  });
  DistFactor<T> w =
      layout == Layout::rows
          ? DistFactor<T>::like(x, FactorSide::samples, k)
          : DistFactor<T>(*d.grid, FactorSide::samples, Axis::uniform(x.rows(), d.grid->pr()), k);
  const std::int64_t first = layout == Layout::rows ? x.row_range().begin : 0;
  const Range owned = w.owned();
  if (owned.size > 0) {
    std::copy(a.data() + (owned.begin - first) * k,
              a.data() + (owned.begin - first + owned.size) * k, w.local().data());
  }
  return w;
}

/// Ht = H^T on X's grid in uniform blocks, from the whole k x p H.
template <typename T>
DistFactor<T> ht_from(const ProcessGrid& grid, const py::object& h, std::int64_t p) {
  Array<T> a(h);
  mpi::agree(grid.all(), [&] {
    if (a.ndim() != 2 || a.shape(1) != p) {
      throw InputError("Array with wrong second dimension passed to NMF (input H). Expected " +
                       std::to_string(p) + ", but got " +
                       std::to_string(a.ndim() == 2 ? a.shape(1) : a.ndim()));
    }
  });
  const std::int64_t k = a.shape(0);
  DistFactor<T> ht(grid, FactorSide::features, Axis::uniform(p, grid.pc()), k);
  const Range owned = ht.owned();
  for (std::int64_t j = 0; j < owned.size; ++j)
    for (std::int64_t c = 0; c < k; ++c) ht.local()(j, c) = a.data()[c * p + owned.begin + j];
  return ht;
}

/// H (k x p) from the whole Ht.
template <typename T>
Matrix<T> transposed(const Matrix<T>& ht) {
  Matrix<T> h(ht.cols(), ht.rows());
  for (std::int64_t j = 0; j < ht.rows(); ++j)
    for (std::int64_t c = 0; c < ht.cols(); ++c) h(c, j) = ht(j, c);
  return h;
}

/// After every iteration: the progress table (verbose) and the check for Ctrl-C, agreed by
/// every rank so that all stop at the same boundary.
IterationObserver observer_for(const mpi::Comm& comm, const NmfParams& params) {
  IterationObserver progress;
  if (params.verbose) progress = app::progress_printer(comm, params, std::cout);
  return [comm, progress](const IterationInfo& info) {
    if (progress) {
      progress(info);
      std::cout.flush();
    }
    int flag = 0;
    {
      py::gil_scoped_acquire gil;
      if (PyErr_CheckSignals() != 0) {
        PyErr_Clear();
        flag = 1;
      }
    }
    if (comm.size() > 1) flag = comm.allreduce_max(flag);
    if (flag) throw Interrupted();
  };
}

/// Runs `body`, naming the file in input errors (as `dnmf fit` does) when X came from one.
template <typename Body>
auto named(const io::DatasetInfo* file, Body&& body) -> decltype(body()) {
  if (!file) return body();
  return app::naming_input(file->path.str(), body);
}

std::optional<io::DatasetInfo> probe(const Call& call, const Input& in) {
  if (in.layout != Layout::path) return std::nullopt;
  return app::probe_input(call.comm, in.path);
}

template <typename T>
py::dict fit_typed(const Call& call, const Input& in, const io::DatasetInfo* file,
                   const py::object& w0, const py::object& h0) {
  const NmfParams& params = call.params;
  const std::int64_t p = file ? file->cols : input_cols(in);
  const std::int64_t h_rows = h0.is_none() ? 0 : py::array::ensure(h0).shape(0);
  std::int64_t k = 0;
  mpi::agree(call.comm, [&] { k = resolve_n_components(params, p, h_rows); });
  Placed<T> d = place<T>(call, in, file, k, true);
  std::optional<DistFactor<T>> w_init, ht_init;
  const bool custom = params.init == Init::custom;
  if (custom) {
    w_init.emplace(w_start(d, in.layout, w0, k));
    ht_init.emplace(ht_from<T>(*d.grid, h0, p));
  }
  NMF<T> model(params);
  model.set_observer(observer_for(d.grid->all(), params));
  std::pair<Matrix<T>, std::int64_t> w;
  Matrix<T> h;
  {
    py::gil_scoped_release release;
    const DistFactor<T> wf = named(file, [&] {
      return model.fit_transform(*d.x, custom ? &*w_init : nullptr, custom ? &*ht_init : nullptr);
    });
    w = result_rows(wf, in.layout);
    h = transposed(app::gather_whole(model.components()));
  }
  py::dict out;
  out["W"] = to_numpy(w.first);
  out["row_start"] = w.second;
  out["H"] = to_numpy(h);
  out["n_iter"] = model.n_iter_;
  out["reconstruction_err"] = model.reconstruction_err_;
  out["init_used"] = to_string(model.init_used_);
  out["seed"] = model.seed_used_;
  out["grid"] = py::make_tuple(d.grid->pr(), d.grid->pc());
  out["n_samples"] = d.x->rows();
  out["seconds"] = model.last_run().seconds;
  py::list names;
  for (const std::string& s : d.feature_names) names.append(s);
  out["feature_names"] = names;
  return out;
}

template <typename T>
py::dict transform_typed(const Call& call, const Input& in, const io::DatasetInfo* file,
                         const py::object& h) {
  const std::int64_t k = py::array::ensure(h).shape(0);
  Placed<T> d = place<T>(call, in, file, k, false);
  NMF<T> model(call.params);
  model.set_components(ht_from<T>(*d.grid, h, d.x->cols()));
  model.set_observer(observer_for(d.grid->all(), call.params));
  std::pair<Matrix<T>, std::int64_t> w;
  {
    py::gil_scoped_release release;
    const DistFactor<T> wf = named(file, [&] { return model.transform(*d.x); });
    w = result_rows(wf, in.layout);
  }
  py::dict out;
  out["W"] = to_numpy(w.first);
  out["row_start"] = w.second;
  out["n_iter"] = model.last_run().n_iter;
  out["seconds"] = model.last_run().seconds;
  out["grid"] = py::make_tuple(d.grid->pr(), d.grid->pc());
  out["n_samples"] = d.x->rows();
  return out;
}

/// float32 when X is float32 (its file's values, or its array's), else float64.
bool computes_in_float32(const Input& in, const io::DatasetInfo* file) {
  if (file) return app::compute_type(*file, std::nullopt) == io::ElementType::float32;
  return is_float32(in.sparse ? in.data : in.dense);
}

}  // namespace

py::dict fit(const Call& call, const Input& x, py::object w0, py::object h0) {
  const std::optional<io::DatasetInfo> file = probe(call, x);
  const io::DatasetInfo* f = file ? &*file : nullptr;
  if (computes_in_float32(x, f)) return fit_typed<float>(call, x, f, w0, h0);
  return fit_typed<double>(call, x, f, w0, h0);
}

py::dict transform(const Call& call, const Input& x, py::object h) {
  const std::optional<io::DatasetInfo> file = probe(call, x);
  const io::DatasetInfo* f = file ? &*file : nullptr;
  // The model's dtype decides, as components_ and X must agree (Python casts X to it).
  if (is_float32(h)) return transform_typed<float>(call, x, f, h);
  return transform_typed<double>(call, x, f, h);
}

namespace {
template <typename T>
py::object matmul_typed(const py::object& w_obj, const py::object& h_obj) {
  Array<T> w(w_obj), h(h_obj);
  const std::int64_t n = w.shape(0), k = w.shape(1), p = h.shape(1);
  if (h.shape(0) != k) {
    throw InputError("X has " + std::to_string(k) + " features, but NMF is expecting " +
                     std::to_string(h.shape(0)) + " features as input");
  }
  py::array_t<T> out({n, p});
  T* x = out.mutable_data();
  {
    py::gil_scoped_release release;
    if (n > 0 && p > 0) {
      if (k == 0) {
        std::fill(x, x + n * p, T(0));
      } else {
        la::gemm(la::Op::none, la::Op::none, n, p, k, T(1), w.data(), k, h.data(), p, T(0), x, p);
      }
    }
  }
  return out;
}
}  // namespace

py::object matmul(py::object w, py::object h) {
  if (is_float32(h)) return matmul_typed<float>(w, h);
  return matmul_typed<double>(w, h);
}

void select_k(const Call& call, app::SelectKConfig config) {
  config.fit.params = call.params;
  app::select_k(call.comm, config, std::cout);
}

}  // namespace dnmf::python
