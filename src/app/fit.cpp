// `dnmf fit`: plan (shapes, init files, resume, grid), load (X and the custom init), fit (with
// checkpoints at iteration boundaries), write (warnings, the model file, the summary).

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>

#include "checkpoint.hpp"
#include "dnmf/app/commands.hpp"
#include "dnmf/dist/balance.hpp"
#include "dnmf/io/model_file.hpp"
#include "dnmf/nmf/estimator.hpp"
#include "dnmf/nmf/init.hpp"
#include "factor_io.hpp"
#include "memory_plan.hpp"
#include "missing.hpp"
#include "plan.hpp"
#include "report.hpp"

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
  check_factor_shape(name, spec, d.rows, d.cols, rows, cols);
  if (d.type != type) {
    throw InputError(std::string("H and W should have the same dtype as X (") + to_string(type) +
                     "); " + spec + " holds " + to_string(d.type));
  }
  return d;
}

/// What is decided before X is read.
struct FitPlan {
  io::DatasetInfo x;
  io::ElementType type = io::ElementType::float64;
  std::int64_t k = 0;
  Init init = Init::random;
  io::DatasetInfo w0, h0;                   ///< Init::custom
  std::optional<io::CheckpointInfo> saved;  ///< --resume from an existing checkpoint
  GridShape shape;
};

io::RunIdentity identity(const RunConfig& cfg) {
  return {cfg.params, cfg.init_W, cfg.init_H, cfg.dtype};
}

/// k, the init and its files, the checkpoint to resume, the grid. Collective.
FitPlan plan_fit(const mpi::Comm& comm, const RunConfig& cfg, const io::DatasetInfo& xinfo,
                 io::ElementType type, std::ostream& out) {
  const NmfParams& params = cfg.params;
  FitPlan plan;
  plan.x = xinfo;
  plan.type = type;
  const std::int64_t n = xinfo.rows, p = xinfo.cols;
  // Shape-dependent parameter checks and the custom-init files, before any expensive read.
  mpi::agree(comm, [&] {
    std::int64_t h_rows = 0;
    if (params.init == Init::custom && !params.n_components && !params.n_components_none &&
        !cfg.init_H.empty()) {
      h_rows = io::probe_dense(comm, io::parse_object_path(cfg.init_H, "/H")).rows;
    }
    plan.k = resolve_n_components(params, p, h_rows);
    plan.init = resolve_init(params, plan.k, n, p);
    if (plan.init == Init::custom) {
      plan.h0 = probe_init(comm, cfg.init_H, "H", plan.k, p, type);
      plan.w0 = probe_init(comm, cfg.init_W, "W", n, plan.k, type);
    }
  });
  const std::string& resume = cfg.checkpoint.resume;
  if (!resume.empty()) {
    std::int64_t exists = 0;
    if (comm.rank() == 0) exists = std::filesystem::exists(resume) ? 1 : 0;
    comm.bcast(&exists, 1, 0);
    if (exists) {
      plan.saved = read_checkpoint(comm, resume);
      const io::CheckpointInfo& saved = *plan.saved;
      mpi::agree(comm, [&] {
        const std::string diff = io::run_mismatch(saved.run, identity(cfg));
        if (!diff.empty()) throw UsageError("cannot resume from '" + resume + "': " + diff);
        if (saved.n_components != plan.k || saved.dtype != type) {
          throw UsageError("cannot resume from '" + resume + "': it has k=" +
                           std::to_string(saved.n_components) + " in " + to_string(saved.dtype) +
                           ", this run k=" + std::to_string(plan.k) + " in " + to_string(type));
        }
      });
      if (comm.rank() == 0) {
        out << "dnmf fit: resuming from " << resume << " after iteration " << saved.state.iteration
            << "\n";
      }
    } else if (comm.rank() == 0) {
      out << "dnmf fit: no checkpoint at " << resume << " yet; starting from the beginning\n";
    }
  }
  plan.shape = pick_grid(comm, cfg.grid, n, p, plan.k, x_memory_bytes(xinfo, type),
                         uses_one_pass(params) && !cfg.missing.any());
  return plan;
}

void print_plan(const mpi::Comm& comm, const FitPlan& plan, const NmfParams& params,
                std::ostream& out) {
  if (comm.rank() != 0 || !params.verbose) return;
  const std::int64_t n = plan.x.rows, p = plan.x.cols, k = plan.k;
  out << "dnmf fit: X " << n << " x " << p << " (" << to_string(plan.x.type) << ", computing in "
      << to_string(plan.type) << ") from " << plan.x.path.str() << "\n"
      << "  n_components=" << k << " solver=" << to_string(params.solver)
      << " beta_loss=" << params.beta_loss << " init=" << to_string(plan.init)
      << " tol=" << params.tol << " max_iter=" << params.max_iter << " alpha_W=" << params.alpha_W
      << " alpha_H=" << (params.alpha_H ? fmt("%g", *params.alpha_H) : "same")
      << " l1_ratio=" << params.l1_ratio << " shuffle=" << params.shuffle << "\n"
      << "  grid " << plan.shape.str() << " over " << comm.size() << " ranks; words moved per "
      << "iteration per rank ~" << fmt("%.3g", words_per_iteration(n, p, k, plan.shape)) << "\n";
}

/// The data of a fit, in the grid's layout.
template <typename T>
struct FitInputs {
  DistMatrix<T> x;
  std::optional<DistFactor<T>> w0, ht0;  ///< Init::custom
  std::vector<std::string> feature_names;
};

/// Reads X (reporting how even the sparse cut came out), the custom init and the feature names.
template <typename T>
FitInputs<T> load_inputs(const ProcessGrid& grid, const FitPlan& plan, const MissingSpec& missing,
                         bool verbose, PhaseTimers& timers, std::ostream& out) {
  const bool root = grid.all().rank() == 0;
  FitInputs<T> in{DistMatrix<T>(grid, plan.x.rows, plan.x.cols,
                                plan.x.sparse ? Storage::sparse : Storage::dense),
                  std::nullopt,
                  std::nullopt,
                  {}};
  DistMatrix<T>& x = in.x;
  read_x(plan.x, x, timers);
  {
    auto t = timers.scope(Phase::io);
    apply_missing(missing, plan.x, x, /*check_columns=*/true);
  }
  if (x.sparse()) {  // blocks are cut by stored entries: report how even that came out
    const double ratio = imbalance(grid.all(), x.local_nnz());
    if (root && verbose) {
      out << "  stored entries per rank: max/mean " << fmt("%.3f", ratio);
      if (plan.shape.pr + plan.shape.pc <= 16) {  // the cuts, while they fit on a line
        out << " (rows cut at";
        for (std::int64_t b : x.row_axis().bounds()) out << " " << b;
        out << "; columns cut at";
        for (std::int64_t b : x.col_axis().bounds()) out << " " << b;
        out << ")";
      }
      out << "\n";
    }
  }
  if (plan.init == Init::custom) {
    auto t = timers.scope(Phase::io);
    in.ht0.emplace(DistFactor<T>::like(x, FactorSide::features, plan.k));
    in.w0.emplace(DistFactor<T>::like(x, FactorSide::samples, plan.k));
    read_h_as_ht(grid.all(), plan.h0.path, *in.ht0);
    read_w(grid.all(), plan.w0.path, *in.w0);
  }
  // /feature_names, or an AnnData file's var index. A wrong length is a mistake in the file;
  // names that are not strings are dropped, as scikit-learn keeps only all-string names.
  io::NameList names = io::read_feature_names(grid.all(), plan.x.path.file);
  mpi::agree(grid.all(), [&] {
    if (names.strings && !names.path.object.empty() && names.length != plan.x.cols) {
      throw InputError("'" + names.path.str() + "' holds " + std::to_string(names.length) +
                       " feature names, but X (" + plan.x.path.str() + ") has " +
                       std::to_string(plan.x.cols) + " features");
    }
  });
  if (!names.strings && root) {
    std::cerr << "UserWarning: the feature names in '" << names.path.str() << "' are " << names.type
              << ", not strings; they are ignored (scikit-learn keeps feature "
              << "names only when all are strings)\n"
              << std::flush;
  }
  in.feature_names = std::move(names.values);
  return in;
}

/// Checkpoints at iteration boundaries: one small all-reduce decides, on every rank alike,
/// whether to write one (signal, every N iterations, every S seconds) and whether to stop.
template <typename T>
class Checkpointer {
 public:
  Checkpointer(const RunConfig& cfg, const FitPlan& plan, const FitHooks& hooks,
               const DistMatrix<T>& x, std::ostream& out)
      : cfg_(cfg), hooks_(hooks), out_(out), comm_(x.grid().all()) {
    const CheckpointPlan& c = cfg.checkpoint;
    // The input's fingerprint ties a checkpoint to this X.
    if (!c.path.empty() || plan.saved) info_.input = fingerprint(x);
    mpi::agree(comm_, [&] {
      if (plan.saved && !plan.saved->input.matches(info_.input)) {
        throw InputError("checkpoint '" + c.resume + "' does not match the input " +
                         plan.x.path.str() + ": it was written for " + plan.saved->input.str() +
                         ", the input is " + info_.input.str());
      }
    });
    info_.run = identity(cfg);
    info_.n_components = plan.k;
    info_.dtype = plan.type;
  }

  /// Installs the boundary hook on `model` (nothing without --checkpoint).
  void attach(NMF<T>& model) {
    if (cfg_.checkpoint.path.empty()) return;
    last_write_ = std::chrono::steady_clock::now();
    model.set_boundary_hook(
        [this, &model](const SolverState& state, const DistFactor<T>& w, const DistFactor<T>& ht) {
          return at_boundary(model, state, w, ht);
        });
  }

  std::int64_t written_at() const { return written_at_; }

 private:
  bool at_boundary(NMF<T>& model, const SolverState& state, const DistFactor<T>& w,
                   const DistFactor<T>& ht) {
    const CheckpointPlan& c = cfg_.checkpoint;
    const bool root = comm_.rank() == 0;
    if (hooks_.at_boundary) hooks_.at_boundary(comm_, state.iteration);
    const double since =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - last_write_).count();
    std::int64_t flags[3] = {
        stop_signal_received() ? 1 : 0, root && c.seconds > 0 && since >= c.seconds ? 1 : 0,
        c.every > 0 && state.iteration > 0 && state.iteration % c.every == 0 ? 1 : 0};
    comm_.allreduce_sum(flags, 3);
    if (flags[0] + flags[1] + flags[2] == 0) return false;
    info_.state = state;
    info_.init_used = model.init_used_;
    info_.seed = model.seed_used_;
    {
      auto t = model.timers().scope(Phase::io);
      if (hooks_.before_checkpoint) hooks_.before_checkpoint(comm_, state.iteration);
      write_checkpoint(c.path, info_, w, ht);
    }
    written_at_ = state.iteration;
    last_write_ = std::chrono::steady_clock::now();
    if (root && cfg_.params.verbose) {
      out_ << "  checkpoint after iteration " << state.iteration << " -> " << c.path << "\n";
    }
    return flags[0] > 0;
  }

  const RunConfig& cfg_;
  const FitHooks& hooks_;
  std::ostream& out_;
  const mpi::Comm& comm_;
  io::CheckpointInfo info_;
  std::int64_t written_at_ = -1;
  std::chrono::steady_clock::time_point last_write_;
};

/// Fits from the init, or continues the checkpoint being resumed.
template <typename T>
DistFactor<T> run_fit(NMF<T>& model, const RunConfig& cfg, const FitPlan& plan, FitInputs<T>& in) {
  std::string where = plan.x.path.str();
  if (plan.init == Init::custom)
    where += ", init W " + plan.w0.path.str() + ", init H " + plan.h0.path.str();
  if (!plan.saved) {
    return naming_input(where, [&] {
      return model.fit_transform(in.x, in.w0 ? &*in.w0 : nullptr, in.ht0 ? &*in.ht0 : nullptr);
    });
  }
  const mpi::Comm& comm = in.x.grid().all();
  DistFactor<T> ws = DistFactor<T>::like(in.x, FactorSide::samples, plan.k);
  DistFactor<T> hs = DistFactor<T>::like(in.x, FactorSide::features, plan.k);
  read_w(comm, io::ObjectPath{cfg.checkpoint.resume, "/W"}, ws);
  read_h_as_ht(comm, io::ObjectPath{cfg.checkpoint.resume, "/H"}, hs);
  return naming_input(where, [&] {
    return model.resume_fit(in.x, std::move(ws), std::move(hs), plan.saved->state,
                            plan.saved->init_used, plan.saved->seed);
  });
}

/// scikit-learn's warnings, the model file, the phase report and the summary line.
template <typename T>
void write_model(const mpi::Comm& comm, NMF<T>& model, const DistFactor<T>& w, const RunConfig& cfg,
                 const FitPlan& plan, const FitInputs<T>& in, std::ostream& out) {
  const NmfParams& params = cfg.params;
  const FitResult& result = model.last_run();
  const bool root = comm.rank() == 0;
  const std::int64_t n = plan.x.rows, p = plan.x.cols;
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
  PhaseTimers& timers = model.timers();
  {
    auto t = timers.scope(Phase::io);
    io::ModelFacts facts;
    facts.params = params;
    facts.n_components = plan.k;
    facts.n_features = p;
    facts.n_iter = model.n_iter_;
    facts.reconstruction_err = model.reconstruction_err_;
    facts.init_used = model.init_used_;
    facts.grid = plan.shape;
    facts.dtype = plan.type;
    facts.fit_seconds = result.seconds;
    facts.seed = static_cast<std::int64_t>(model.seed_used_);
    write_factors(comm, cfg.output, w, &model.components(),
                  in.feature_names.size() == static_cast<std::size_t>(p)
                      ? in.feature_names
                      : std::vector<std::string>{},
                  io::model_attributes(facts));
  }
  // After a resume the time and the bytes cover only the iterations run now.
  const std::int64_t run_now =
      result.n_iter - (plan.saved ? plan.saved->state.iteration : std::int64_t{0});
  if (params.verbose) report_phases(comm, timers, run_now, result.bytes_received, out);
  if (root) {
    out << "dnmf fit: " << n << "x" << p << " k=" << plan.k
        << " solver=" << to_string(params.solver) << " init=" << to_string(model.init_used_)
        << " seed=" << model.seed_used_ << " grid=" << plan.shape.str()
        << " n_iter_=" << model.n_iter_
        << " reconstruction_err_=" << fmt("%.10g", model.reconstruction_err_)
        << " time=" << fmt("%.3f", result.seconds) << "s ("
        << fmt("%.4g", result.seconds / static_cast<double>(std::max<std::int64_t>(run_now, 1)))
        << " s/iter) -> " << cfg.output << "\n"
        << std::flush;
  }
}

template <typename T>
int fit_typed(const mpi::Comm& comm, const RunConfig& cfg, const FitHooks& hooks,
              const FitPlan& plan, std::ostream& out) {
  ProcessGrid grid(comm, plan.shape);
  NMF<T> model(cfg.params);
  print_plan(comm, plan, cfg.params, out);
  if (hooks.before_read && !cfg.checkpoint.path.empty()) hooks.before_read(comm, 0);
  FitInputs<T> in =
      load_inputs<T>(grid, plan, cfg.missing, cfg.params.verbose != 0, model.timers(), out);
  model.set_observer(progress_printer(grid.all(), cfg.params, out));
  Checkpointer<T> checkpoints(cfg, plan, hooks, in.x, out);
  checkpoints.attach(model);

  const DistFactor<T> w = run_fit(model, cfg, plan, in);
  if (model.interrupted()) {
    if (comm.rank() == 0) {
      const std::string& path = cfg.checkpoint.path;
      out << "dnmf fit: stopped by a signal after iteration " << model.last_run().n_iter
          << "; checkpoint in " << path << " (iteration " << checkpoints.written_at()
          << "). Repeat the command with --resume " << path << " to continue.\n"
          << std::flush;
    }
    return static_cast<int>(ExitCode::checkpointed);
  }
  write_model(grid.all(), model, w, cfg, plan, in, out);
  return 0;
}

}  // namespace

int fit(const mpi::Comm& comm, const RunConfig& cfg, std::ostream& out, const FitHooks& hooks) {
  // First of all: a stop signal that lands while the input is inspected or read must not kill
  // the run (it is acted on at the first iteration boundary).
  if (!cfg.checkpoint.path.empty()) install_stop_signals();
  const std::string& ck = cfg.checkpoint.path;
  check_outputs(comm,
                {{"the input X", cfg.input},
                 {"--init-W", cfg.init_W},
                 {"--init-H", cfg.init_H},
                 {"--mask", cfg.missing.mask}},
                {{"--output", cfg.output},
                 {"--checkpoint", ck},
                 {"--checkpoint's previous copy", ck.empty() ? "" : ck + ".prev"}});
  // The checkpoint resumed from is rewritten on purpose; the model must not replace it.
  check_outputs(comm, {{"--resume", cfg.checkpoint.resume}}, {{"--output", cfg.output}});
  const io::DatasetInfo xinfo = probe_input(comm, cfg.input);
  const io::ElementType type = compute_type(xinfo, cfg.dtype);
  const FitPlan plan = plan_fit(comm, cfg, xinfo, type, out);
  // Before X is read: a plan larger than the memory a rank can have is refused (exit 2).
  check_memory(comm, plan_fit_memory(xinfo, type, plan.k, plan.shape, cfg.params, plan.init,
                                     cfg.missing.any()));
  if (type == io::ElementType::float32) return fit_typed<float>(comm, cfg, hooks, plan, out);
  return fit_typed<double>(comm, cfg, hooks, plan, out);
}

}  // namespace dnmf::app
