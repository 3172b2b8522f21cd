#include <cmath>
#include <cstdio>
#include <iomanip>
#include <random>
#include <sstream>

#include "dnmf/app/commands.hpp"
#include "dnmf/dist/products.hpp"
#include "dnmf/io/hdf5.hpp"
#include "dnmf/nmf/init.hpp"
#include "dnmf/nmf/nndsvd.hpp"
#include "dnmf/nmf/solver.hpp"

namespace dnmf::app {
namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

/// The compute dtype: --dtype if given, else float32 for float32 input and float64 otherwise.
io::ElementType compute_type(const io::DatasetInfo& x, const std::string& dtype) {
  if (dtype == "float64") return io::ElementType::float64;
  if (dtype == "float32") return io::ElementType::float32;
  if (!dtype.empty()) throw UsageError("dtype: expected 'float64' or 'float32', got '" + dtype + "'");
  return x.type == io::ElementType::float32 ? io::ElementType::float32 : io::ElementType::float64;
}

/// Reads a custom H0 (k x n_features in the file) into the owned rows of Ht.
template <typename T>
void read_h0(const mpi::Comm& comm, const io::ObjectPath& path, DistFactor<T>& ht) {
  Matrix<T> block;
  io::read_block(comm, path, Range{0, ht.k()}, ht.owned(), block);
  Matrix<T>& hl = ht.local();
  for (std::int64_t c = 0; c < block.rows(); ++c)
    for (std::int64_t j = 0; j < block.cols(); ++j) hl(j, c) = block(c, j);
}

/// Probes a custom-init file and checks its shape and dtype as scikit-learn does (§3.6).
io::DatasetInfo probe_init(const mpi::Comm& comm, const std::string& spec, const char* name,
                           std::int64_t rows, std::int64_t cols, io::ElementType type) {
  if (spec.empty()) {
    throw UsageError(std::string("init 'custom' needs --init-") + name + " FILE.h5:/path");
  }
  const io::DatasetInfo d = io::probe_dense(comm, io::parse_object_path(spec, std::string("/") + name));
  auto dim_error = [&](const char* which, std::int64_t want, std::int64_t got) {
    return InputError("Array with wrong " + std::string(which) +
                      " dimension passed to NMF (input " + name + "). Expected " +
                      std::to_string(want) + ", but got " + std::to_string(got) + " (" + spec + ")");
  };
  if (d.rows != rows) throw dim_error("first", rows, d.rows);
  if (d.cols != cols) throw dim_error("second", cols, d.cols);
  if (d.type != type) {
    throw InputError(std::string("H and W should have the same dtype as X (") + to_string(type) +
                     "); " + spec + " holds " + to_string(d.type));
  }
  return d;
}

std::vector<io::Attribute> model_attributes(const NmfParams& p, const FitResult& r,
                                            std::int64_t k, std::int64_t n_features,
                                            Init init_used, const ProcessGrid& grid,
                                            io::ElementType type) {
  using io::Attribute;
  std::vector<Attribute> a;
  a.push_back(Attribute::of("reconstruction_err_", r.reconstruction_err));
  a.push_back(Attribute::of("n_iter_", r.n_iter));
  a.push_back(Attribute::of("n_components_", k));
  a.push_back(Attribute::of("n_features_in_", n_features));
  if (p.n_components) {
    a.push_back(Attribute::of("n_components", *p.n_components));
  } else {
    a.push_back(Attribute::of("n_components", std::string(p.n_components_none ? "None" : "auto")));
  }
  a.push_back(Attribute::of("init", to_string(p.init)));
  a.push_back(Attribute::of("solver", to_string(p.solver)));
  a.push_back(Attribute::of("beta_loss", p.beta_loss));
  a.push_back(Attribute::of("tol", p.tol));
  a.push_back(Attribute::of("max_iter", p.max_iter));
  if (p.random_state) {
    a.push_back(Attribute::of("random_state", static_cast<std::int64_t>(*p.random_state)));
  } else {
    a.push_back(Attribute::of("random_state", std::string("None")));
  }
  a.push_back(Attribute::of("alpha_W", p.alpha_W));
  if (p.alpha_H) {
    a.push_back(Attribute::of("alpha_H", *p.alpha_H));
  } else {
    a.push_back(Attribute::of("alpha_H", std::string("same")));
  }
  a.push_back(Attribute::of("l1_ratio", p.l1_ratio));
  a.push_back(Attribute::of("verbose", static_cast<std::int64_t>(p.verbose)));
  a.push_back(Attribute::of("shuffle", static_cast<std::int64_t>(p.shuffle)));
  // dnmf's own facts about the run, prefixed so they cannot clash with sklearn names.
  a.push_back(Attribute::of("dnmf_init_used", to_string(init_used)));
  a.push_back(Attribute::of("dnmf_grid", grid.shape().str()));
  a.push_back(Attribute::of("dnmf_dtype", to_string(type)));
  a.push_back(Attribute::of("dnmf_fit_seconds", r.seconds));
  return a;
}

/// Min / average / max over ranks of each phase timer, one line per phase.
void report_phases(const mpi::Comm& comm, const PhaseTimers& timers, std::int64_t iters,
                   std::ostream& out) {
  const int p = comm.size();
  for (int i = 0; i < static_cast<int>(Phase::count); ++i) {
    const double t = timers.all()[i];
    const double mn = comm.allreduce_min(t), mx = comm.allreduce_max(t);
    const double avg = comm.allreduce_sum(t) / p;
    if (comm.rank() == 0 && mx > 0) {
      out << "  phase " << std::left << std::setw(15) << phase_names[i] << std::right
          << " min " << fmt("%9.4f", mn) << " s  avg " << fmt("%9.4f", avg) << " s  max "
          << fmt("%9.4f", mx) << " s  (" << fmt("%.2e", avg / std::max<std::int64_t>(iters, 1))
          << " s/iter avg)\n";
    }
  }
}

template <typename T>
void fit_typed(const mpi::Comm& comm, const io::DatasetInfo& xinfo, io::ElementType type,
               const std::string& output, const cli::Settings& settings, const NmfParams& params,
               std::ostream& out) {
  const bool root = comm.rank() == 0;
  const std::int64_t n = xinfo.rows, p = xinfo.cols;

  // Parameters that depend on the data shape, then the custom-init files: all before any
  // expensive read, and identical on every rank.
  std::int64_t k = 0;
  Init init = Init::random;
  io::DatasetInfo h0info, w0info;
  mpi::agree(comm, [&] {
    std::int64_t h_rows = 0;
    if (params.init == Init::custom && !cli::get(settings, "init_H").empty() &&
        !params.n_components) {
      h_rows = io::probe_dense(comm, io::parse_object_path(cli::get(settings, "init_H"), "/H")).rows;
    }
    k = resolve_n_components(params, p, h_rows);
    init = resolve_init(params, k, n, p);
    if (init == Init::custom) {
      h0info = probe_init(comm, cli::get(settings, "init_H"), "H", k, p, type);
      w0info = probe_init(comm, cli::get(settings, "init_W"), "W", n, k, type);
    }
  });

  GridShape shape;
  mpi::agree(comm, [&] {
    const std::string g = cli::get(settings, "grid");
    shape = g.empty() ? choose_grid(n, p, k, comm.size()) : parse_grid(g, "grid");
    if (shape.size() != comm.size()) {
      throw UsageError("grid: " + shape.str() + " needs " + std::to_string(shape.size()) +
                       " ranks, but the job has " + std::to_string(comm.size()));
    }
  });
  ProcessGrid grid(comm, shape);
  PhaseTimers timers;
  if (root && params.verbose) {
    out << "dnmf fit: X " << n << " x " << p << " (" << to_string(xinfo.type) << ", computing in "
        << to_string(type) << ") from " << xinfo.path.str() << "\n"
        << "  n_components=" << k << " solver=" << to_string(params.solver)
        << " beta_loss=" << params.beta_loss << " init=" << to_string(init) << " tol=" << params.tol
        << " max_iter=" << params.max_iter << " alpha_W=" << params.alpha_W
        << " alpha_H=" << (params.alpha_H ? fmt("%g", *params.alpha_H) : "same")
        << " l1_ratio=" << params.l1_ratio << "\n"
        << "  grid " << shape.str() << " over " << comm.size() << " ranks; words moved per "
        << "iteration per rank ~" << fmt("%.3g", words_per_iteration(n, p, k, shape)) << "\n";
  }

  DistMatrix<T> x(grid, n, p);
  {
    auto t = timers.scope(Phase::io);
    io::read_block(grid.all(), xinfo.path, x.row_range(), x.col_range(), x.local());
  }
  DataSummary data;
  mpi::agree(grid.all(), [&] {
    data = summarize_data(x, "X");
    if (params.beta() <= 0 && data.min == 0) {
      throw InputError("When beta_loss <= 0 and X contains zeros, the solver may diverge. Please "
                       "add small values to X, or use a positive beta_loss (" + xinfo.path.str() +
                       ")");
    }
  });

  // Without --random-state, sklearn uses numpy's global RNG: unpredictable. Rank 0 draws one
  // seed for everybody, so all ranks still agree on the random init and the cd order.
  std::uint64_t seed64 = params.random_state.value_or(0);
  if (!params.random_state) {
    if (root) seed64 = std::random_device{}();
    grid.all().bcast(&seed64, 1, 0);
  }
  const auto seed = static_cast<std::uint32_t>(seed64);

  DistFactor<T> w(grid, FactorSide::samples, n, k);
  DistFactor<T> ht(grid, FactorSide::features, p, k);
  DistProducts<T> products(x, &timers);
  {
    auto t = timers.scope(Phase::init);
    if (init == Init::custom) {
      read_h0(grid.all(), h0info.path, ht);
      io::read_block(grid.all(), w0info.path, w.owned(), Range{0, k}, w.local());
      mpi::agree(grid.all(), [&] {
        check_custom_factor(ht, "H");
        check_custom_factor(w, "W");
      });
    } else if (init == Init::random) {
      random_init(data, seed, w, ht);
    } else {
      nndsvd_init(products, init, data, seed, w, ht);
    }
  }

  const std::int64_t every = params.verbose >= 2 ? 1 : 10;
  double last_progress = 0;
  auto observer = [&](const IterationInfo& it) {
    if (!root) return;
    if (params.verbose) {
      if (it.iteration == 1) out << "  iteration        error    violation    seconds\n";
      if (!std::isnan(it.error) || !std::isnan(it.violation) || it.iteration % every == 0) {
        auto cell = [](double v) { return std::isnan(v) ? std::string("          -") : fmt("%11.6g", v); };
        out << std::setw(11) << it.iteration << "  " << cell(it.error) << "  "
            << cell(it.violation) << "  " << fmt("%9.3f", it.seconds) << "\n"
            << std::flush;
      }
    } else if (it.seconds - last_progress >= 30.0) {  // a heartbeat on long quiet runs
      last_progress = it.seconds;
      out << "  ... iteration " << it.iteration << " of at most " << params.max_iter << ", "
          << fmt("%.1f", it.seconds) << " s\n"
          << std::flush;
    }
  };
  const Penalties pen = scaled_penalties(params, n, p);
  const FitResult result = params.solver == Solver::cd
                               ? fit_cd(products, w, ht, params, pen, seed, true, observer)
                               : fit_mu(products, w, ht, params, pen, true, observer);

  if (root && params.solver == Solver::mu && init == Init::nndsvd) {
    out << "UserWarning: The multiplicative update ('mu') solver cannot update zeros present in "
           "the initialization, and so leads to poorer results when used jointly with "
           "init='nndsvd'. You may try init='nndsvda' or init='nndsvdar' instead.\n";
  }
  if (root && result.n_iter == params.max_iter && params.tol > 0) {
    out << "ConvergenceWarning: Maximum number of iterations " << params.max_iter
        << " reached. Increase it to improve convergence.\n";
  }
  {
    auto t = timers.scope(Phase::io);
    io::AtomicFileWriter file(grid.all(), output);
    file.write_block("W", n, k, w.owned(), Range{0, k}, w.local().data());
    Matrix<T> h_block(k, ht.owned().size);  // my columns of H, from my rows of Ht
    for (std::int64_t j = 0; j < h_block.cols(); ++j)
      for (std::int64_t c = 0; c < k; ++c) h_block(c, j) = ht.local()(j, c);
    file.write_block("H", k, p, Range{0, k}, ht.owned(), h_block.data());
    file.write_attributes(model_attributes(params, result, k, p, init, grid, type));
    file.commit();
  }
  if (params.verbose) report_phases(grid.all(), timers, result.n_iter, out);
  if (root) {
    out << "dnmf fit: " << n << "x" << p << " k=" << k << " solver=" << to_string(params.solver)
        << " init=" << to_string(init) << " grid=" << shape.str() << " n_iter_=" << result.n_iter
        << " reconstruction_err_=" << fmt("%.10g", result.reconstruction_err) << " time="
        << fmt("%.3f", result.seconds) << "s ("
        << fmt("%.4g", result.seconds / static_cast<double>(std::max<std::int64_t>(result.n_iter, 1)))
        << " s/iter) -> " << output << "\n"
        << std::flush;
  }
}

}  // namespace

void fit(const mpi::Comm& comm, const std::string& input, const std::string& output,
         const cli::Settings& settings, std::ostream& out) {
  NmfParams params;
  mpi::agree(comm, [&] { params = cli::to_params(settings); });  // parameters first, as sklearn
  if (output.empty()) {
    mpi::agree(comm, [] { throw UsageError("fit: --output MODEL.h5 is required"); });
  }
  const io::DatasetInfo xinfo = io::probe_dense(comm, io::parse_object_path(input));
  io::ElementType type = io::ElementType::float64;
  mpi::agree(comm, [&] {
    type = compute_type(xinfo, cli::get(settings, "dtype"));
    if (xinfo.rows < 1 || xinfo.cols < 1) {
      throw InputError("Found array with shape (" + std::to_string(xinfo.rows) + ", " +
                       std::to_string(xinfo.cols) + ") in " + input +
                       "; NMF needs at least 1 sample and 1 feature");
    }
  });
  if (type == io::ElementType::float32) {
    fit_typed<float>(comm, xinfo, type, output, settings, params, out);
  } else {
    fit_typed<double>(comm, xinfo, type, output, settings, params, out);
  }
}

}  // namespace dnmf::app
