#include <algorithm>
#include <iostream>

#include "app_common.hpp"
#include "dnmf/app/commands.hpp"

namespace dnmf::app {
namespace {

/// Probes a custom-init file and checks its shape and dtype as scikit-learn does (§3.6).
io::DatasetInfo probe_init(const mpi::Comm& comm, const std::string& spec, const char* name,
                           std::int64_t rows, std::int64_t cols, io::ElementType type) {
  if (spec.empty()) {
    throw UsageError(std::string("init 'custom' needs --init-") + name + " FILE.h5:/path");
  }
  const io::DatasetInfo d =
      io::probe_dense(comm, io::parse_object_path(spec, std::string("/") + name));
  auto dim_error = [&](const char* which, std::int64_t want, std::int64_t got) {
    return InputError("Array with wrong " + std::string(which) + " dimension passed to NMF (input " +
                      name + "). Expected " + std::to_string(want) + ", but got " +
                      std::to_string(got) + " (" + spec + ")");
  };
  if (d.rows != rows) throw dim_error("first", rows, d.rows);
  if (d.cols != cols) throw dim_error("second", cols, d.cols);
  if (d.type != type) {
    throw InputError(std::string("H and W should have the same dtype as X (") + to_string(type) +
                     "); " + spec + " holds " + to_string(d.type));
  }
  return d;
}

template <typename T>
void fit_typed(const mpi::Comm& comm, const io::DatasetInfo& xinfo, io::ElementType type,
               const std::string& output, const cli::Settings& settings, const NmfParams& params,
               std::ostream& out) {
  const bool root = comm.rank() == 0;
  const std::int64_t n = xinfo.rows, p = xinfo.cols;

  // Shape-dependent parameter checks and the custom-init files, before any expensive read.
  std::int64_t k = 0;
  Init init = Init::random;
  io::DatasetInfo h0info, w0info;
  mpi::agree(comm, [&] {
    std::int64_t h_rows = 0;
    if (params.init == Init::custom && !params.n_components && !params.n_components_none &&
        !cli::get(settings, "init_H").empty()) {
      h_rows = io::probe_dense(comm, io::parse_object_path(cli::get(settings, "init_H"), "/H")).rows;
    }
    k = resolve_n_components(params, p, h_rows);
    init = resolve_init(params, k, n, p);
    if (init == Init::custom) {
      h0info = probe_init(comm, cli::get(settings, "init_H"), "H", k, p, type);
      w0info = probe_init(comm, cli::get(settings, "init_W"), "W", n, k, type);
    }
  });
  const GridShape shape = pick_grid(comm, cli::get(settings, "grid"), n, p, k);
  ProcessGrid grid(comm, shape);
  NMF<T> model(params);
  PhaseTimers& timers = model.timers();
  if (root && params.verbose) {
    out << "dnmf fit: X " << n << " x " << p << " (" << to_string(xinfo.type) << ", computing in "
        << to_string(type) << ") from " << xinfo.path.str() << "\n"
        << "  n_components=" << k << " solver=" << to_string(params.solver)
        << " beta_loss=" << params.beta_loss << " init=" << to_string(init) << " tol=" << params.tol
        << " max_iter=" << params.max_iter << " alpha_W=" << params.alpha_W
        << " alpha_H=" << (params.alpha_H ? fmt("%g", *params.alpha_H) : "same")
        << " l1_ratio=" << params.l1_ratio << " shuffle=" << params.shuffle << "\n"
        << "  grid " << shape.str() << " over " << comm.size() << " ranks; words moved per "
        << "iteration per rank ~" << fmt("%.3g", words_per_iteration(n, p, k, shape)) << "\n";
  }

  DistMatrix<T> x(grid, n, p);
  read_x(xinfo, x, timers);
  std::optional<DistFactor<T>> w0, ht0;
  if (init == Init::custom) {
    auto t = timers.scope(Phase::io);
    ht0.emplace(grid, FactorSide::features, p, k);
    w0.emplace(grid, FactorSide::samples, n, k);
    read_h_as_ht(grid.all(), h0info.path, *ht0);
    io::read_block(grid.all(), w0info.path, w0->owned(), Range{0, k}, w0->local());
  }
  const std::vector<std::string> feature_names =
      io::read_strings(grid.all(), io::ObjectPath{xinfo.path.file, "/feature_names"});

  model.set_observer(progress_printer(grid.all(), params, out));
  std::string where = xinfo.path.str();
  if (init == Init::custom) where += ", init W " + w0info.path.str() + ", init H " + h0info.path.str();
  const DistFactor<T> w = naming_input(where, [&] {
    return model.fit_transform(x, w0 ? &*w0 : nullptr, ht0 ? &*ht0 : nullptr);
  });
  const FitResult& result = model.last_run();

  if (root && params.solver == Solver::mu && model.init_used_ == Init::nndsvd) {
    std::cerr << "UserWarning: The multiplicative update ('mu') solver cannot update zeros present in "
           "the initialization, and so leads to poorer results when used jointly with "
           "init='nndsvd'. You may try init='nndsvda' or init='nndsvdar' instead.\n";
  }
  if (root && result.n_iter == params.max_iter && params.tol > 0) {
    std::cerr << "ConvergenceWarning: Maximum number of iterations " << params.max_iter
        << " reached. Increase it to improve convergence.\n";
  }
  {
    auto t = timers.scope(Phase::io);
    write_factors(grid.all(), output, w, &model.components(),
                  feature_names.size() == static_cast<std::size_t>(p) ? feature_names
                                                                      : std::vector<std::string>{},
                  model_attributes(params, k, p, model.n_iter_, model.reconstruction_err_,
                                   model.init_used_, shape, type, result.seconds));
  }
  if (params.verbose) report_phases(grid.all(), timers, result.n_iter, out);
  if (root) {
    out << "dnmf fit: " << n << "x" << p << " k=" << k << " solver=" << to_string(params.solver)
        << " init=" << to_string(model.init_used_) << " grid=" << shape.str()
        << " n_iter_=" << model.n_iter_
        << " reconstruction_err_=" << fmt("%.10g", model.reconstruction_err_)
        << " time=" << fmt("%.3f", result.seconds) << "s ("
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
  const io::DatasetInfo xinfo = probe_input(comm, input);
  io::ElementType type = io::ElementType::float64;
  mpi::agree(comm, [&] { type = compute_type(xinfo, cli::get(settings, "dtype")); });
  if (type == io::ElementType::float32) {
    fit_typed<float>(comm, xinfo, type, output, settings, params, out);
  } else {
    fit_typed<double>(comm, xinfo, type, output, settings, params, out);
  }
}

}  // namespace dnmf::app
