#include <algorithm>
#include <iostream>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include "app_common.hpp"
#include "checkpoint.hpp"
#include "dnmf/app/commands.hpp"
#include "dnmf/dist/balance.hpp"

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
    return InputError("Array with wrong " + std::string(which) +
                      " dimension passed to NMF (input " + name + "). Expected " +
                      std::to_string(want) + ", but got " + std::to_string(got) + " (" + spec +
                      ")");
  };
  if (d.rows != rows) throw dim_error("first", rows, d.rows);
  if (d.cols != cols) throw dim_error("second", cols, d.cols);
  if (d.type != type) {
    throw InputError(std::string("H and W should have the same dtype as X (") + to_string(type) +
                     "); " + spec + " holds " + to_string(d.type));
  }
  return d;
}

/// Where and how often to checkpoint, and what to resume from.
struct CheckpointPlan {
  std::string path;        ///< --checkpoint (empty: none)
  std::int64_t every = 0;  ///< --checkpoint-every iterations (0: only on signals / time)
  double seconds = 0;      ///< --checkpoint-seconds (0: off)
  std::string resume;      ///< --resume (empty: none)
};

/// An integer from the environment, or -1 when unset.
std::int64_t env_int(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::atoll(v) : -1;
}

CheckpointPlan checkpoint_plan(const cli::Settings& s) {
  CheckpointPlan c;
  c.path = cli::get(s, "checkpoint");
  c.resume = cli::get(s, "resume");
  try {
    c.every = std::stoll(cli::get(s, "checkpoint_every", "0"));
    c.seconds = std::stod(cli::get(s, "checkpoint_seconds", "0"));
  } catch (const std::exception&) {
    throw UsageError("checkpoint_every / checkpoint_seconds: expected numbers");
  }
  if (c.every < 0 || c.seconds < 0) {
    throw UsageError("checkpoint_every and checkpoint_seconds must be >= 0");
  }
  if ((c.every > 0 || c.seconds > 0) && c.path.empty()) {
    throw UsageError("checkpoint_every / checkpoint_seconds need --checkpoint FILE");
  }
  return c;
}

template <typename T>
int fit_typed(const mpi::Comm& comm, const io::DatasetInfo& xinfo, io::ElementType type,
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
      h_rows =
          io::probe_dense(comm, io::parse_object_path(cli::get(settings, "init_H"), "/H")).rows;
    }
    k = resolve_n_components(params, p, h_rows);
    init = resolve_init(params, k, n, p);
    if (init == Init::custom) {
      h0info = probe_init(comm, cli::get(settings, "init_H"), "H", k, p, type);
      w0info = probe_init(comm, cli::get(settings, "init_W"), "W", n, k, type);
    }
  });
  CheckpointPlan plan;
  mpi::agree(comm, [&] { plan = checkpoint_plan(settings); });
  std::optional<CheckpointInfo> saved;
  if (!plan.resume.empty()) {
    std::int64_t exists = 0;
    if (root) exists = std::filesystem::exists(plan.resume) ? 1 : 0;
    comm.bcast(&exists, 1, 0);
    if (exists) {
      saved = read_checkpoint(comm, plan.resume);
      mpi::agree(comm, [&] {
        const std::string diff = settings_mismatch(saved->settings, settings);
        if (!diff.empty()) throw UsageError("cannot resume from '" + plan.resume + "': " + diff);
        if (saved->n_components != k || saved->dtype != to_string(type)) {
          throw UsageError("cannot resume from '" + plan.resume + "': it has k=" +
                           std::to_string(saved->n_components) + " in " + saved->dtype +
                           ", this run k=" + std::to_string(k) + " in " + to_string(type));
        }
      });
      if (root) {
        out << "dnmf fit: resuming from " << plan.resume << " after iteration "
            << saved->state.iteration << "\n";
      }
    } else if (root) {
      out << "dnmf fit: no checkpoint at " << plan.resume << " yet; starting from the beginning\n";
    }
  }
  if (!plan.path.empty()) install_stop_signals();

  const GridShape shape =
      pick_grid(comm, cli::get(settings, "grid"), n, p, k, x_memory_bytes(xinfo, type),
                !xinfo.sparse && uses_one_pass(params));
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

  DistMatrix<T> x(grid, n, p, xinfo.sparse ? Storage::sparse : Storage::dense);
  read_x(xinfo, x, timers);
  if (x.sparse()) {  // blocks are cut by stored entries: report how even that came out
    const double ratio = imbalance(grid.all(), x.local_nnz());
    if (root && params.verbose) {
      out << "  stored entries per rank: max/mean " << fmt("%.3f", ratio);
      if (shape.pr + shape.pc <= 16) {  // the cuts, while they fit on a line
        out << " (rows cut at";
        for (std::int64_t b : x.row_axis().bounds()) out << " " << b;
        out << "; columns cut at";
        for (std::int64_t b : x.col_axis().bounds()) out << " " << b;
        out << ")";
      }
      out << "\n";
    }
  }
  std::optional<DistFactor<T>> w0, ht0;
  if (init == Init::custom) {
    auto t = timers.scope(Phase::io);
    ht0.emplace(DistFactor<T>::like(x, FactorSide::features, k));
    w0.emplace(DistFactor<T>::like(x, FactorSide::samples, k));
    read_h_as_ht(grid.all(), h0info.path, *ht0);
    read_w(grid.all(), w0info.path, *w0);
  }
  const std::vector<std::string> feature_names =
      io::read_strings(grid.all(), io::ObjectPath{xinfo.path.file, "/feature_names"});

  model.set_observer(progress_printer(grid.all(), params, out));

  // Checkpoints: the input's fingerprint ties a checkpoint to this X; at each iteration boundary
  // one small all-reduce decides, on every rank alike, whether to write one and whether a stop
  // signal arrived anywhere.
  CheckpointInfo ckpt;
  if (!plan.path.empty() || saved) ckpt.input = fingerprint(x);
  mpi::agree(grid.all(), [&] {
    if (saved && !saved->input.matches(ckpt.input)) {
      throw InputError("checkpoint '" + plan.resume + "' does not match the input " +
                       xinfo.path.str() + ": it was written for " + saved->input.str() +
                       ", the input is " + ckpt.input.str());
    }
  });
  std::int64_t written_at = -1;
  auto last_write = std::chrono::steady_clock::now();  // outlives the hook that updates it
  if (!plan.path.empty()) {
    ckpt.settings = settings;
    ckpt.n_components = k;
    ckpt.dtype = to_string(type);
    // Fault injection for the tests: a real SIGUSR1, raised on the last rank only, after a given
    // iteration or in the middle of writing a given iteration's checkpoint.
    const std::int64_t signal_after = env_int("DNMF_TEST_SIGNAL_AFTER_ITERATION");
    const std::int64_t signal_during = env_int("DNMF_TEST_SIGNAL_DURING_CHECKPOINT");
    const bool last_rank = comm.rank() == comm.size() - 1;
    model.set_boundary_hook([&, signal_after, signal_during, last_rank](const SolverState& state,
                                                                        const DistFactor<T>& wf,
                                                                        const DistFactor<T>& htf) {
      if (last_rank && state.iteration == signal_after) std::raise(SIGUSR1);
      const double since =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - last_write).count();
      std::int64_t flags[3] = {stop_signal_received() ? 1 : 0,
                               root && plan.seconds > 0 && since >= plan.seconds ? 1 : 0,
                               plan.every > 0 && state.iteration % plan.every == 0 ? 1 : 0};
      grid.all().allreduce_sum(flags, 3);
      if (flags[0] + flags[1] + flags[2] == 0) return false;
      ckpt.state = state;
      ckpt.init_used = model.init_used_;
      ckpt.seed = model.seed_used_;
      {
        auto t = timers.scope(Phase::io);
        if (last_rank && state.iteration == signal_during) std::raise(SIGUSR1);
        write_checkpoint(plan.path, ckpt, wf, htf);
      }
      written_at = state.iteration;
      last_write = std::chrono::steady_clock::now();
      if (root && params.verbose) {
        out << "  checkpoint after iteration " << state.iteration << " -> " << plan.path << "\n";
      }
      return flags[0] > 0;
    });
  }

  std::string where = xinfo.path.str();
  if (init == Init::custom)
    where += ", init W " + w0info.path.str() + ", init H " + h0info.path.str();
  DistFactor<T> w = [&] {
    if (!saved) {
      return naming_input(where, [&] {
        return model.fit_transform(x, w0 ? &*w0 : nullptr, ht0 ? &*ht0 : nullptr);
      });
    }
    DistFactor<T> ws = DistFactor<T>::like(x, FactorSide::samples, k);
    DistFactor<T> hs = DistFactor<T>::like(x, FactorSide::features, k);
    read_w(grid.all(), io::ObjectPath{plan.resume, "/W"}, ws);
    read_h_as_ht(grid.all(), io::ObjectPath{plan.resume, "/H"}, hs);
    return naming_input(where, [&] {
      return model.resume_fit(x, std::move(ws), std::move(hs), saved->state, saved->init_used,
                              saved->seed);
    });
  }();
  const FitResult& result = model.last_run();
  if (model.interrupted()) {
    if (root) {
      out << "dnmf fit: stopped by a signal after iteration " << result.n_iter << "; checkpoint in "
          << plan.path << " (iteration " << written_at << "). Repeat the command with --resume "
          << plan.path << " to continue.\n"
          << std::flush;
    }
    return static_cast<int>(ExitCode::checkpointed);
  }

  if (root && params.solver == Solver::mu && model.init_used_ == Init::nndsvd) {
    std::cerr
        << "UserWarning: The multiplicative update ('mu') solver cannot update zeros present in "
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
  if (params.verbose) report_phases(grid.all(), timers, result.n_iter, result.bytes_received, out);
  if (root) {
    out << "dnmf fit: " << n << "x" << p << " k=" << k << " solver=" << to_string(params.solver)
        << " init=" << to_string(model.init_used_) << " grid=" << shape.str()
        << " n_iter_=" << model.n_iter_
        << " reconstruction_err_=" << fmt("%.10g", model.reconstruction_err_)
        << " time=" << fmt("%.3f", result.seconds) << "s ("
        << fmt("%.4g",
               result.seconds / static_cast<double>(std::max<std::int64_t>(result.n_iter, 1)))
        << " s/iter) -> " << output << "\n"
        << std::flush;
  }
  return 0;
}

}  // namespace

int fit(const mpi::Comm& comm, const std::string& input, const std::string& output,
        const cli::Settings& settings, std::ostream& out) {
  NmfParams params;
  mpi::agree(comm, [&] { params = cli::to_params(settings); });  // parameters first, as sklearn
  const io::DatasetInfo xinfo = probe_input(comm, input);
  io::ElementType type = io::ElementType::float64;
  mpi::agree(comm, [&] { type = compute_type(xinfo, cli::get(settings, "dtype")); });
  if (type == io::ElementType::float32) {
    return fit_typed<float>(comm, xinfo, type, output, settings, params, out);
  }
  return fit_typed<double>(comm, xinfo, type, output, settings, params, out);
}

}  // namespace dnmf::app
