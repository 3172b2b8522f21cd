// `dnmf select-k`: the ranks split into groups; each group reads X once onto its own grid and
// takes (k, replicate) fits from a queue shared by all groups (one counter on rank 0, advanced
// with MPI_Fetch_and_op), largest k first so that no big fit starts last. Each fit sees X
// without its replicate's speckled hold-out (nmf/rank_selection.hpp) and is scored on it. The
// groups' results meet on rank 0, which summarises, chooses k and writes the files.

#include <mpi.h>
#include <unistd.h>

#include <sys/wait.h>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "checkpoint.hpp"
#include "dnmf/app/commands.hpp"
#include "dnmf/core/grid_shape.hpp"
#include "dnmf/core/memory_limits.hpp"
#include "dnmf/nmf/estimator.hpp"
#include "dnmf/nmf/init.hpp"
#include "dnmf/nmf/objective.hpp"
#include "dnmf/nmf/rank_selection.hpp"
#include "factor_io.hpp"
#include "memory_plan.hpp"
#include "missing.hpp"
#include "plan.hpp"
#include "report.hpp"

namespace dnmf::app {
namespace {

struct Task {
  std::int64_t k = 0, replicate = 0;
};

/// Every (k, replicate), in queue order: largest k first.
std::vector<Task> make_tasks(const SelectKConfig& cfg) {
  std::vector<Task> tasks;
  std::vector<std::int64_t> ks;
  for (std::int64_t k = cfg.k_first; k <= cfg.k_last; k += cfg.k_step) ks.push_back(k);
  std::reverse(ks.begin(), ks.end());
  for (std::int64_t k : ks)
    for (std::int64_t r = 0; r < cfg.replicates; ++r) tasks.push_back({k, r});
  return tasks;
}

std::uint32_t base_seed(const SelectKConfig& cfg) {
  return cfg.fit.params.random_state.value_or(0);
}

/// What a checkpointed task must match to be reused: everything that changes a fit's numbers.
std::string run_identity(const SelectKConfig& cfg, const io::DatasetInfo& x) {
  const NmfParams& p = cfg.fit.params;
  std::ostringstream o;
  o << "input=" << x.path.str() << " shape=" << x.rows << "x" << x.cols
    << " holdout=" << fmt("%.17g", cfg.holdout) << " seed=" << base_seed(cfg)
    << " solver=" << to_string(p.solver) << " beta_loss=" << p.beta_loss
    << " init=" << to_string(p.init) << " tol=" << fmt("%.17g", p.tol) << " max_iter=" << p.max_iter
    << " alpha_W=" << fmt("%.17g", p.alpha_W)
    << " alpha_H=" << (p.alpha_H ? fmt("%.17g", *p.alpha_H) : "same")
    << " l1_ratio=" << fmt("%.17g", p.l1_ratio)
    << " dtype=" << (cfg.fit.dtype ? to_string(*cfg.fit.dtype) : "input")
    << " missing=" << (cfg.fit.missing.nan ? "nan" : "") << " mask=" << cfg.fit.missing.mask;
  return o.str();
}

std::string task_file(const std::string& folder, const Task& t) {
  return (std::filesystem::path(folder) /
          ("task-k" + std::to_string(t.k) + "-r" + std::to_string(t.replicate) + ".h5"))
      .string();
}

/// Records a finished task in the checkpoint folder (one file per task, written atomically by
/// the group's rank 0 alone).
void record_task(const mpi::Comm& self, const std::string& folder, const std::string& run,
                 const TaskResult& r) {
  const Task t{r.k, r.replicate};
  io::AtomicFileWriter file(self, task_file(folder, t));
  const Matrix<double>& h = r.components;
  file.write_block("H", h.rows(), h.cols(), Range{0, h.rows()}, Range{0, h.cols()}, h.data());
  file.write_attributes(
      {io::Attribute::of("run", run), io::Attribute::of("k", r.k),
       io::Attribute::of("replicate", r.replicate), io::Attribute::of("train_error", r.train_error),
       io::Attribute::of("test_error", r.test_error), io::Attribute::of("n_iter", r.n_iter),
       io::Attribute::of("seconds", r.seconds), io::Attribute::of("group", r.group)});
  file.commit();
}

/// The tasks recorded in the checkpoint folder (rank 0 of `self` reads). UsageError when one
/// was written by another run.
std::vector<TaskResult> read_recorded(const mpi::Comm& self, const std::string& folder,
                                      const std::string& run, const std::vector<Task>& tasks,
                                      std::int64_t n_features) {
  std::vector<TaskResult> done;
  for (const Task& t : tasks) {
    const std::string path = task_file(folder, t);
    if (!std::filesystem::exists(path)) continue;
    TaskResult r;
    std::string their_run;
    for (const io::Attribute& a : io::read_root_attributes(self, path)) {
      if (a.name == "run") their_run = a.text;
      if (a.name == "train_error") r.train_error = a.real;
      if (a.name == "test_error") r.test_error = a.real;
      if (a.name == "n_iter") r.n_iter = a.integer;
      if (a.name == "seconds") r.seconds = a.real;
      if (a.name == "group") r.group = a.integer;
    }
    if (their_run != run) {
      throw UsageError("cannot resume from '" + folder + "': " + path +
                       " was written by another run (" + their_run + "; this run: " + run + ")");
    }
    r.k = t.k;
    r.replicate = t.replicate;
    io::read_block(self, io::ObjectPath{path, "/H"}, Range{0, t.k}, Range{0, n_features},
                   r.components);
    done.push_back(std::move(r));
  }
  return done;
}

/// H (k x p, columns in item order) of a fit, on every rank of its grid.
template <typename T>
Matrix<double> gather_components(const DistFactor<T>& ht) {
  const Matrix<T> whole = gather_whole(ht);  // p x k
  Matrix<double> h(ht.k(), ht.global_rows());
  for (std::int64_t j = 0; j < whole.rows(); ++j)
    for (std::int64_t c = 0; c < whole.cols(); ++c) h(c, j) = static_cast<double>(whole(j, c));
  return h;
}

/// The fits of one group: X read once, then tasks from the queue until it is empty, a stop
/// signal arrives, or a fit fails (the error is kept for the world to agree on).
template <typename T>
class GroupRunner {
 public:
  GroupRunner(const SelectKConfig& cfg, const io::DatasetInfo& xinfo, const ProcessGrid& grid,
              int group, std::ostream& out)
      : cfg_(cfg),
        xinfo_(xinfo),
        grid_(grid),
        group_(group),
        out_(out),
        x_(grid, xinfo.rows, xinfo.cols, Storage::dense) {
    PhaseTimers timers;
    read_x(xinfo, x_, timers);
    apply_missing(cfg.fit.missing, xinfo, x_, /*check_columns=*/true);
    if (x_.observed() == Observed::masked) base_ = x_.mask();
  }

  /// Runs `task` and returns its result (on every rank of the group); `stopped` when a stop
  /// signal ended the fit (the result is then meaningless).
  TaskResult run(const Task& task, bool& stopped) {
    const Range rows = x_.row_range(), cols = x_.col_range();
    std::vector<std::uint8_t>& mask = x_.mask();
    mask.assign(static_cast<std::size_t>(rows.size * cols.size), 1);
    std::vector<std::uint8_t> held(mask.size(), 0);
    const std::uint64_t seed = base_seed(cfg_);
    double counts[2] = {0, 0};  // entries the fit sees, entries held out
    for (std::int64_t i = 0; i < rows.size; ++i) {
      const auto gi = static_cast<std::uint64_t>(x_.row_axis().item(rows.begin + i));
      for (std::int64_t j = 0; j < cols.size; ++j) {
        const auto gj = static_cast<std::uint64_t>(x_.col_axis().item(cols.begin + j));
        const std::size_t e = static_cast<std::size_t>(i * cols.size + j);
        const bool seen = base_.empty() || base_[e];
        held[e] = seen &&
                  held_out(seed, static_cast<std::uint64_t>(task.replicate), gi, gj, cfg_.holdout);
        mask[e] = seen && !held[e];
        counts[0] += mask[e];
        counts[1] += held[e];
      }
    }
    x_.set_observed(Observed::masked);
    const std::string where = xinfo_.path.str() + " without replicate " +
                              std::to_string(task.replicate) + "'s held-out entries";
    check_coverage(x_, where, /*check_columns=*/true);

    NmfParams params = cfg_.fit.params;
    params.n_components = task.k;
    params.random_state =
        static_cast<std::uint32_t>(seed + static_cast<std::uint64_t>(task.replicate));
    params.verbose = 0;
    NMF<T> model(params);
    if (!cfg_.fit.checkpoint.path.empty()) {
      const mpi::Comm& all = grid_.all();
      model.set_boundary_hook(
          [&all](const SolverState&, const DistFactor<T>&, const DistFactor<T>&) {
            return all.allreduce_max<std::int64_t>(stop_signal_received() ? 1 : 0) > 0;
          });
    }
    const DistFactor<T> w = model.fit_transform(x_);
    stopped = model.interrupted();
    TaskResult r;
    r.k = task.k;
    r.replicate = task.replicate;
    r.group = group_;
    if (stopped) return r;
    const DistFactor<T>& ht = model.components();
    const double beta = params.beta();
    DistProducts<T> products(x_);
    const mpi::Comm& all = grid_.all();
    all.allreduce_sum(counts, 2);
    const double train = products.divergence(w, ht, beta);
    mask.swap(held);  // now the held-out entries are the "observed" ones
    const double test = products.divergence(w, ht, beta);
    mask.swap(held);
    r.train_error = std::sqrt(2 * std::max(train, 0.0) / counts[0]);
    r.test_error = std::sqrt(2 * std::max(test, 0.0) / counts[1]);
    r.n_iter = model.n_iter_;
    r.seconds = model.last_run().seconds;
    r.components = gather_components(ht);
    if (all.rank() == 0) {
      out_ << "  k=" << task.k << " replicate " << task.replicate << " (group " << group_
           << "): test " << fmt("%.6g", r.test_error) << " train " << fmt("%.6g", r.train_error)
           << " n_iter " << r.n_iter << " " << fmt("%.2f", r.seconds) << " s\n"
           << std::flush;
    }
    return r;
  }

 private:
  const SelectKConfig& cfg_;
  const io::DatasetInfo& xinfo_;
  const ProcessGrid& grid_;
  int group_;
  std::ostream& out_;
  DistMatrix<T> x_;
  std::vector<std::uint8_t> base_;  // the mask of X itself (--missing / --mask); empty: none
};

/// The shared task counter: one int64 on world rank 0.
class TaskQueue {
 public:
  explicit TaskQueue(const mpi::Comm& world) {
    const MPI_Aint bytes = world.rank() == 0 ? sizeof(std::int64_t) : 0;
    MPI_Win_allocate(bytes, sizeof(std::int64_t), MPI_INFO_NULL, world.get(), &counter_, &win_);
    if (world.rank() == 0) {
      MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win_);
      *counter_ = 0;
      MPI_Win_unlock(0, win_);
    }
    world.barrier();
  }
  ~TaskQueue() { MPI_Win_free(&win_); }
  TaskQueue(const TaskQueue&) = delete;
  TaskQueue& operator=(const TaskQueue&) = delete;

  /// The next task index (any rank may ask; each index is handed out once).
  std::int64_t next() {
    const std::int64_t one = 1;
    std::int64_t got = 0;
    MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win_);
    MPI_Fetch_and_op(&one, &got, MPI_INT64_T, 0, 0, MPI_SUM, win_);
    MPI_Win_unlock(0, win_);
    return got;
  }

 private:
  std::int64_t* counter_ = nullptr;
  MPI_Win win_;
};

/// Serialises results for the gather on world rank 0: (k, replicate, train, test, n_iter,
/// seconds, group, rows, cols, H...) each.
std::vector<double> pack(const std::vector<TaskResult>& results) {
  std::vector<double> out;
  for (const TaskResult& r : results) {
    const Matrix<double>& h = r.components;
    const double head[] = {static_cast<double>(r.k),
                           static_cast<double>(r.replicate),
                           r.train_error,
                           r.test_error,
                           static_cast<double>(r.n_iter),
                           r.seconds,
                           static_cast<double>(r.group),
                           static_cast<double>(h.rows()),
                           static_cast<double>(h.cols())};
    out.insert(out.end(), std::begin(head), std::end(head));
    out.insert(out.end(), h.data(), h.data() + h.size());
  }
  return out;
}

std::vector<TaskResult> unpack(const std::vector<double>& in) {
  std::vector<TaskResult> out;
  for (std::size_t at = 0; at < in.size();) {
    TaskResult r;
    r.k = static_cast<std::int64_t>(in[at]);
    r.replicate = static_cast<std::int64_t>(in[at + 1]);
    r.train_error = in[at + 2];
    r.test_error = in[at + 3];
    r.n_iter = static_cast<std::int64_t>(in[at + 4]);
    r.seconds = in[at + 5];
    r.group = static_cast<std::int64_t>(in[at + 6]);
    const auto rows = static_cast<std::int64_t>(in[at + 7]);
    const auto cols = static_cast<std::int64_t>(in[at + 8]);
    at += 9;
    r.components = Matrix<double>(rows, cols);
    std::copy(in.begin() + static_cast<std::ptrdiff_t>(at),
              in.begin() + static_cast<std::ptrdiff_t>(at + rows * cols), r.components.data());
    at += static_cast<std::size_t>(rows * cols);
    out.push_back(std::move(r));
  }
  return out;
}

/// Everyone's results on world rank 0.
std::vector<TaskResult> gather_on_root(const mpi::Comm& world,
                                       const std::vector<TaskResult>& mine) {
  const std::vector<double> send = pack(mine);
  const int size = world.size();
  std::int64_t count = static_cast<std::int64_t>(send.size());
  std::vector<std::int64_t> counts(static_cast<std::size_t>(size), 0);
  MPI_Gather(&count, 1, MPI_INT64_T, counts.data(), 1, MPI_INT64_T, 0, world.get());
  std::vector<double> all;
  std::vector<int> icounts(static_cast<std::size_t>(size)), displs(static_cast<std::size_t>(size));
  if (world.rank() == 0) {
    std::int64_t total = 0;
    for (int r = 0; r < size; ++r) {
      icounts[r] = static_cast<int>(counts[r]);
      displs[r] = static_cast<int>(total);
      total += counts[r];
    }
    all.resize(static_cast<std::size_t>(total));
  }
  MPI_Gatherv(send.data(), static_cast<int>(count), MPI_DOUBLE, all.data(), icounts.data(),
              displs.data(), MPI_DOUBLE, 0, world.get());
  return unpack(all);
}

std::string number(double v) {
  return std::isnan(v) ? "nan" : fmt("%.10g", v);
}

/// SELECTION.h5 without the suffix, for the CSV files beside it.
std::string stem(const std::string& output) {
  const std::filesystem::path p(output);
  return (p.parent_path() / p.stem()).string();
}

/// Writes `text` to `path` through a temporary file in the same folder.
void write_text_file(const std::string& path, const std::string& text) {
  const std::string temp = path + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream f(temp);
    f << text;
    f.close();
    if (!f) {
      std::filesystem::remove(temp);
      throw IoError("cannot write " + path);
    }
  }
  std::filesystem::rename(temp, path);
}

struct Selection {
  std::vector<TaskResult> tasks;
  std::vector<KSummary> table;
  std::int64_t chosen = 0, best = 0;
};

/// The files of the selection (rank 0 alone, through `self`).
void write_selection(const mpi::Comm& self, const SelectKConfig& cfg, const io::DatasetInfo& x,
                     const Selection& s, int ranks, int group_size, int groups) {
  const auto nt = static_cast<std::int64_t>(s.tasks.size());
  const auto nk = static_cast<std::int64_t>(s.table.size());
  io::AtomicFileWriter file(self, cfg.output);
  file.create_group("tasks");
  file.create_group("summary");
  auto column = [&](const std::string& name, std::int64_t n, auto get) {
    using V = decltype(get(std::int64_t{0}));
    std::vector<V> v;
    for (std::int64_t i = 0; i < n; ++i) v.push_back(get(i));
    file.write_vector(name, n, 0, n, v.data());
  };
  using I = std::int64_t;
  column("tasks/k", nt, [&](I i) { return s.tasks[i].k; });
  column("tasks/replicate", nt, [&](I i) { return s.tasks[i].replicate; });
  column("tasks/train_error", nt, [&](I i) { return s.tasks[i].train_error; });
  column("tasks/test_error", nt, [&](I i) { return s.tasks[i].test_error; });
  column("tasks/n_iter", nt, [&](I i) { return s.tasks[i].n_iter; });
  column("tasks/seconds", nt, [&](I i) { return s.tasks[i].seconds; });
  column("tasks/group", nt, [&](I i) { return s.tasks[i].group; });
  column("tasks/stability", nt, [&](I i) { return s.tasks[i].stability; });
  column("tasks/stability_min", nt, [&](I i) { return s.tasks[i].stability_min; });
  column("summary/k", nk, [&](I i) { return s.table[i].k; });
  column("summary/replicates", nk, [&](I i) { return s.table[i].replicates; });
  column("summary/test_error_mean", nk, [&](I i) { return s.table[i].test_mean; });
  column("summary/test_error_se", nk, [&](I i) { return s.table[i].test_se; });
  column("summary/train_error_mean", nk, [&](I i) { return s.table[i].train_mean; });
  column("summary/train_error_se", nk, [&](I i) { return s.table[i].train_se; });
  column("summary/stability_mean", nk, [&](I i) { return s.table[i].stability_mean; });
  column("summary/stability_min", nk, [&](I i) { return s.table[i].stability_min; });
  column("summary/n_iter_mean", nk, [&](I i) { return s.table[i].n_iter_mean; });
  column("summary/seconds_mean", nk, [&](I i) { return s.table[i].seconds_mean; });
  const NmfParams& p = cfg.fit.params;
  file.write_attributes({
      io::Attribute::of("chosen_k", s.chosen),
      io::Attribute::of("min_error_k", s.best),
      io::Attribute::of("rule",
                        to_string(cfg.rule_min ? KRule::minimum : KRule::one_standard_error)),
      io::Attribute::of("holdout", cfg.holdout),
      io::Attribute::of("replicates", cfg.replicates),
      io::Attribute::of("random_state", static_cast<std::int64_t>(base_seed(cfg))),
      io::Attribute::of("solver", to_string(p.solver)),
      io::Attribute::of("beta_loss", p.beta()),
      io::Attribute::of("input", x.path.str()),
      io::Attribute::of("n_samples", x.rows),
      io::Attribute::of("n_features", x.cols),
      io::Attribute::of("ranks", static_cast<std::int64_t>(ranks)),
      io::Attribute::of("group_size", static_cast<std::int64_t>(group_size)),
      io::Attribute::of("groups", static_cast<std::int64_t>(groups)),
  });
  file.commit();
  std::ostringstream summary, tasks;
  summary << "k,replicates,test_error_mean,test_error_se,train_error_mean,train_error_se,"
             "stability_mean,stability_min,n_iter_mean,seconds_mean,chosen\n";
  for (const KSummary& k : s.table) {
    summary << k.k << "," << k.replicates << "," << number(k.test_mean) << "," << number(k.test_se)
            << "," << number(k.train_mean) << "," << number(k.train_se) << ","
            << number(k.stability_mean) << "," << number(k.stability_min) << ","
            << number(k.n_iter_mean) << "," << number(k.seconds_mean) << ","
            << (k.k == s.chosen ? 1 : 0) << "\n";
  }
  tasks << "k,replicate,train_error,test_error,n_iter,seconds,group,stability,stability_min\n";
  for (const TaskResult& t : s.tasks) {
    tasks << t.k << "," << t.replicate << "," << number(t.train_error) << ","
          << number(t.test_error) << "," << t.n_iter << "," << number(t.seconds) << "," << t.group
          << "," << number(t.stability) << "," << number(t.stability_min) << "\n";
  }
  write_text_file(stem(cfg.output) + ".csv", summary.str());
  write_text_file(stem(cfg.output) + ".tasks.csv", tasks.str());
}

void print_table(const Selection& s, const SelectKConfig& cfg, std::ostream& out) {
  out << "     k   test_error  (se)        train_error  stability mean/min  n_iter  seconds\n";
  for (const KSummary& k : s.table) {
    out << (k.k == s.chosen ? "  -> " : "     ") << fmt("%-4.0f", static_cast<double>(k.k))
        << fmt("%-11.5g", k.test_mean) << " (" << fmt("%-9.3g", k.test_se) << ") "
        << fmt("%-11.5g", k.train_mean) << "  " << fmt("%6.3f", k.stability_mean) << " / "
        << fmt("%-6.3f", k.stability_min) << "     " << fmt("%6.1f", k.n_iter_mean) << "  "
        << fmt("%7.2f", k.seconds_mean) << "\n";
  }
  out << "dnmf select-k: chosen k=" << s.chosen << " ("
      << (cfg.rule_min ? "rule min: the least mean held-out error"
                       : "rule 1se: the smallest k within one standard error of the least mean "
                         "held-out error, at k=" +
                             std::to_string(s.best))
      << ") -> " << cfg.output << "\n"
      << std::flush;
}

/// Runs the plot script beside the executable (tools/plot_selection.py, installed as
/// dnmf-plot-selection) on the selection file. IoError when it fails.
void draw_plot(const std::string& selection, const std::string& png) {
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe");
  const std::string script = (exe.parent_path() / "dnmf-plot-selection").string();
  if (!std::filesystem::exists(script)) {
    throw IoError("--plot needs " + script + " (installed with dnmf) to draw " + png);
  }
  const pid_t child = ::fork();
  if (child == 0) {
    ::execl(script.c_str(), script.c_str(), selection.c_str(), "--output", png.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  if (child < 0 || ::waitpid(child, &status, 0) < 0 || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0) {
    throw IoError("could not draw " + png + " with " + script + " (exit " +
                  std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
  }
}

/// The group size: --group-size, else the fewest ranks whose fit of the largest k fits in
/// memory, raised so that no group is left without a task.
int choose_group_size(const mpi::Comm& world, const SelectKConfig& cfg, const io::DatasetInfo& x,
                      io::ElementType type, std::int64_t tasks) {
  const int p = world.size();
  if (cfg.group_size > 0) return cfg.group_size;
  const int node_ranks = world.split_shared().size();
  const std::optional<MemoryLimit> limit = memory_limit(node_ranks, 128.0 * 1024 * 1024);
  int g = 1;
  NmfParams params = cfg.fit.params;
  params.n_components = cfg.k_last;
  for (; g < p; ++g) {
    const GridShape shape = choose_grid(x.rows, x.cols, cfg.k_last, g);
    const double need =
        plan_fit_memory(x, type, cfg.k_last, shape, params, Init::random, true).total();
    if (!limit || need <= limit->bytes) break;
  }
  while (g < p && p / g > tasks) ++g;
  // Every rank computed the same from the same facts but the limit, which is the node's.
  return world.allreduce_max(g);
}

template <typename T>
int run_typed(const mpi::Comm& world, const SelectKConfig& cfg, const io::DatasetInfo& xinfo,
              io::ElementType type, std::ostream& out) {
  const bool root = world.rank() == 0;
  const std::vector<Task> tasks = make_tasks(cfg);
  const auto ntasks = static_cast<std::int64_t>(tasks.size());
  const int size = world.size();
  const int g = choose_group_size(world, cfg, xinfo, type, ntasks);
  const int groups = size / g;
  const int group = std::min(world.rank() / g, groups - 1);  // the last group takes the rest
  const mpi::Comm gcomm = world.split(group, world.rank());
  const mpi::Comm self = world.split(world.rank(), 0);
  const std::string run = run_identity(cfg, xinfo);
  const std::string& folder = cfg.fit.checkpoint.path;

  // Resume: the tasks recorded so far (rank 0 reads them; everyone learns which are done).
  std::vector<TaskResult> recorded;
  std::vector<std::int64_t> done(static_cast<std::size_t>(ntasks), 0);
  mpi::agree(world, [&] {
    if (root && cfg.resume && std::filesystem::is_directory(folder))
      recorded = read_recorded(self, folder, run, tasks, xinfo.cols);
  });
  if (root) {
    for (const TaskResult& r : recorded)
      for (std::int64_t t = 0; t < ntasks; ++t)
        if (tasks[t].k == r.k && tasks[t].replicate == r.replicate) done[t] = 1;
  }
  world.bcast(done.data(), ntasks, 0);
  if (root && !folder.empty()) {
    std::filesystem::create_directories(folder);
    if (cfg.resume)
      out << "dnmf select-k: resuming: " << recorded.size() << " of " << ntasks
          << " fits recorded in " << folder << "\n";
  }

  const GridShape shape = pick_grid(gcomm, std::nullopt, xinfo.rows, xinfo.cols, cfg.k_last,
                                    x_memory_bytes(xinfo, type), false);
  if (root) {
    out << "dnmf select-k: X " << xinfo.rows << " x " << xinfo.cols << " from " << xinfo.path.str()
        << "; k " << cfg.k_first << ".." << cfg.k_last << " step " << cfg.k_step << ", "
        << cfg.replicates << " replicates, holdout " << cfg.holdout << ", solver "
        << to_string(cfg.fit.params.solver) << "; " << ntasks << " fits on " << size << " ranks in "
        << groups << " groups (group 0: grid " << shape.str() << ")\n"
        << std::flush;
  }
  mpi::agree(world, [&] {
    NmfParams params = cfg.fit.params;
    params.n_components = cfg.k_last;
    check_memory(gcomm,
                 plan_fit_memory(xinfo, type, cfg.k_last, shape, params,
                                 resolve_init(params, cfg.k_last, xinfo.rows, xinfo.cols), true));
  });

  ProcessGrid grid(gcomm, shape);
  std::vector<TaskResult> mine;  // the results of my group, kept on its rank 0
  bool stopped = false;
  std::exception_ptr failure;
  {
    std::optional<GroupRunner<T>> runner;
    TaskQueue queue(world);
    try {
      runner.emplace(cfg, xinfo, grid, group, out);
      for (;;) {
        std::int64_t t = 0;
        do {  // the next task not recorded yet
          t = gcomm.rank() == 0 ? queue.next() : 0;
          gcomm.bcast(&t, 1, 0);
        } while (t < ntasks && done[t]);
        if (t >= ntasks) break;
        TaskResult r = runner->run(tasks[t], stopped);
        if (stopped) break;
        if (gcomm.rank() == 0) {
          if (!folder.empty()) record_task(self, folder, run, r);
          mine.push_back(std::move(r));
        }
      }
    } catch (...) {
      failure = std::current_exception();
    }
    // The queue's window is freed collectively, after every group is done with it.
  }
  mpi::raise_if_any(world, failure);
  const bool any_stopped = world.allreduce_max<std::int64_t>(stopped ? 1 : 0) > 0;
  if (any_stopped) {
    if (root) {
      out << "dnmf select-k: stopped by a signal; the finished fits are recorded in " << folder
          << ". Repeat the command with --resume to continue.\n"
          << std::flush;
    }
    return static_cast<int>(ExitCode::checkpointed);
  }

  std::vector<TaskResult> results = gather_on_root(world, mine);
  Selection s;
  mpi::agree(world, [&] {
    if (!root) return;
    for (TaskResult& r : recorded) results.push_back(std::move(r));
    s.tasks = std::move(results);
    s.table = summarize(s.tasks);
    s.chosen =
        choose_k(s.table, cfg.rule_min ? KRule::minimum : KRule::one_standard_error, &s.best);
    print_table(s, cfg, out);
    write_selection(self, cfg, xinfo, s, size, g, groups);
    if (!cfg.plot.empty()) draw_plot(cfg.output, cfg.plot);
  });
  world.bcast(&s.chosen, 1, 0);
  if (!cfg.refit.empty()) {
    RunConfig refit = cfg.fit;
    refit.params.n_components = s.chosen;
    refit.output = cfg.refit;
    refit.checkpoint = {};
    return fit(world, refit, out);
  }
  return 0;
}

}  // namespace

int select_k(const mpi::Comm& comm, const SelectKConfig& cfg, std::ostream& out) {
  const std::string& folder = cfg.fit.checkpoint.path;
  if (!folder.empty()) install_stop_signals();
  const std::string s = stem(cfg.output);
  check_outputs(comm, {{"the input X", cfg.fit.input}, {"--mask", cfg.fit.missing.mask}},
                {{"--output", cfg.output},
                 {"the summary CSV", s + ".csv"},
                 {"the tasks CSV", s + ".tasks.csv"},
                 {"--plot", cfg.plot},
                 {"--refit", cfg.refit}});
  // Outputs come after all the fits: a folder that is not there must fail now, not then.
  mpi::agree(comm, [&] {
    if (comm.rank() != 0) return;
    for (const std::string& path : {cfg.output, cfg.plot, cfg.refit}) {
      if (path.empty()) continue;
      const std::filesystem::path dir = std::filesystem::path(path).parent_path();
      if (!dir.empty() && !std::filesystem::is_directory(dir)) {
        throw IoError("cannot write " + path + ": the folder " + dir.string() + " does not exist");
      }
    }
  });
  const io::DatasetInfo xinfo = probe_input(comm, cfg.fit.input);
  const io::ElementType type = compute_type(xinfo, cfg.fit.dtype);
  mpi::agree(comm, [&] {
    const NmfParams& p = cfg.fit.params;
    if (cfg.k_first < 1 || cfg.k_last < cfg.k_first || cfg.k_step < 1) {
      throw UsageError(
          "--k: expected FIRST:LAST[:STEP] with 1 <= FIRST <= LAST and STEP >= 1, got " +
          std::to_string(cfg.k_first) + ":" + std::to_string(cfg.k_last) + ":" +
          std::to_string(cfg.k_step));
    }
    if (!(cfg.holdout > 0 && cfg.holdout < 1)) {
      throw UsageError("--holdout: the held-out fraction must be in (0, 1), got " +
                       fmt("%g", cfg.holdout));
    }
    if (cfg.replicates < 1) throw UsageError("--replicates: expected an int >= 1");
    if (p.solver == Solver::cd) {
      throw UsageError(
          "select-k fits without the held-out entries, which solver 'cd' cannot do;"
          " use --solver anls-bpp (beta_loss frobenius) or mu");
    }
    if (xinfo.sparse) {
      throw UsageError("select-k holds out entries of dense X only for now; " + xinfo.path.str() +
                       " is sparse");
    }
    if (cfg.group_size < 0 || cfg.group_size > comm.size()) {
      throw UsageError("--group-size " + std::to_string(cfg.group_size) +
                       " asks for more ranks "
                       "per group than the job has (" +
                       std::to_string(comm.size()) + ")");
    }
    for (std::int64_t k = cfg.k_first; k <= cfg.k_last; k += cfg.k_step) {
      NmfParams q = p;
      q.n_components = k;
      resolve_init(q, k, xinfo.rows, xinfo.cols);  // e.g. nndsvd with k > min(n, p)
    }
    if (cfg.resume && folder.empty()) {
      throw UsageError("--resume needs --checkpoint FOLDER (where the finished fits are)");
    }
  });
  if (type == io::ElementType::float32) return run_typed<float>(comm, cfg, xinfo, type, out);
  return run_typed<double>(comm, cfg, xinfo, type, out);
}

}  // namespace dnmf::app
