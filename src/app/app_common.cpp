#include "app_common.hpp"

#include "dnmf/io/sparse.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

#include <sys/resource.h>
#include <cstdio>
#include <iomanip>

namespace dnmf::app {

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

io::ElementType compute_type(const io::DatasetInfo& x, const std::string& dtype) {
  if (dtype == "float64") return io::ElementType::float64;
  if (dtype == "float32") return io::ElementType::float32;
  if (!dtype.empty())
    throw UsageError("dtype: expected 'float64' or 'float32', got '" + dtype + "'");
  return x.type == io::ElementType::float32 ? io::ElementType::float32 : io::ElementType::float64;
}

io::DatasetInfo probe_input(const mpi::Comm& comm, const std::string& input) {
  const io::DatasetInfo info = io::probe_matrix(comm, io::parse_object_path(input));
  mpi::agree(comm, [&] {
    if (info.rows < 1 || info.cols < 1) {
      throw InputError("Found array with shape (" + std::to_string(info.rows) + ", " +
                       std::to_string(info.cols) + ") in " + input +
                       "; NMF needs at least 1 sample and 1 feature");
    }
  });
  return info;
}

double x_memory_bytes(const io::DatasetInfo& x, io::ElementType type) {
  const double elem = type == io::ElementType::float32 ? 4.0 : 8.0;
  return x.sparse ? static_cast<double>(x.nnz) * (elem + 8.0)
                  : static_cast<double>(x.rows) * static_cast<double>(x.cols) * elem;
}

GridShape pick_grid(const mpi::Comm& comm, const std::string& spec, std::int64_t m, std::int64_t n,
                    std::int64_t k, double x_bytes, bool one_pass) {
  GridShape shape;
  mpi::agree(comm, [&] {
    shape = spec.empty() ? choose_grid(m, n, k, comm.size(), x_bytes, one_pass)
                         : parse_grid(spec, "grid");
    if (shape.size() != comm.size()) {
      throw UsageError("grid: " + shape.str() + " needs " + std::to_string(shape.size()) +
                       " ranks, but the job has " + std::to_string(comm.size()));
    }
  });
  return shape;
}

template <typename T>
void read_h_as_ht(const mpi::Comm& comm, const io::ObjectPath& path, DistFactor<T>& ht) {
  in_item_order(ht, [&](DistFactor<T>& f) {  // files hold rows in item order
    Matrix<T> block;
    io::read_block(comm, path, Range{0, f.k()}, f.owned(), block);
    Matrix<T>& fl = f.local();
    for (std::int64_t c = 0; c < block.rows(); ++c)
      for (std::int64_t j = 0; j < block.cols(); ++j) fl(j, c) = block(c, j);
  });
}

template <typename T>
void read_w(const mpi::Comm& comm, const io::ObjectPath& path, DistFactor<T>& w) {
  in_item_order(w, [&](DistFactor<T>& f) {
    io::read_block(comm, path, f.owned(), Range{0, f.k()}, f.local());
  });
}

template <typename T>
void read_x(const io::DatasetInfo& info, DistMatrix<T>& x, PhaseTimers& timers) {
  auto t = timers.scope(Phase::io);
  if (info.sparse) {
    x = io::read_sparse<T>(info, x.grid());
  } else {
    io::read_block(x.grid().all(), info.path, x.row_range(), x.col_range(), x.local());
  }
}

IterationObserver progress_printer(const mpi::Comm& comm, const NmfParams& params,
                                   std::ostream& out) {
  if (comm.rank() != 0) return {};
  const std::int64_t every = params.verbose >= 2 ? 1 : 10;
  auto last_progress = std::make_shared<double>(0.0);
  return [&out, params, every, last_progress](const IterationInfo& it) {
    if (params.verbose) {
      if (it.iteration == 1) out << "  iteration        error    violation    seconds\n";
      if (!std::isnan(it.error) || !std::isnan(it.violation) || it.iteration % every == 0) {
        auto cell = [](double v) {
          return std::isnan(v) ? std::string("          -") : fmt("%11.6g", v);
        };
        out << std::setw(11) << it.iteration << "  " << cell(it.error) << "  " << cell(it.violation)
            << "  " << fmt("%9.3f", it.seconds) << "\n"
            << std::flush;
      }
    } else if (it.seconds - *last_progress >= 30.0) {  // a heartbeat on long quiet runs
      *last_progress = it.seconds;
      out << "  ... iteration " << it.iteration << " of at most " << params.max_iter << ", "
          << fmt("%.1f", it.seconds) << " s\n"
          << std::flush;
    }
  };
}

void report_phases(const mpi::Comm& comm, const PhaseTimers& timers, std::int64_t iters,
                   std::int64_t bytes, std::ostream& out) {
  const int p = comm.size();
  const double per_iter =
      static_cast<double>(bytes) / static_cast<double>(std::max<std::int64_t>(iters, 1));
  const double b_min = comm.allreduce_min(per_iter), b_max = comm.allreduce_max(per_iter);
  const double b_avg = comm.allreduce_sum(per_iter) / p;
  if (comm.rank() == 0) {
    out << "  received per iteration per rank: min " << fmt("%.0f", b_min) << " B  avg "
        << fmt("%.0f", b_avg) << " B  max " << fmt("%.0f", b_max) << " B\n";
  }
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  const double rss = static_cast<double>(usage.ru_maxrss) / 1024.0;  // MiB (ru_maxrss is KiB)
  const double rss_min = comm.allreduce_min(rss), rss_max = comm.allreduce_max(rss);
  const double rss_avg = comm.allreduce_sum(rss) / p;
  if (comm.rank() == 0) {
    out << "  peak RSS per rank: min " << fmt("%.1f", rss_min) << " MiB  avg "
        << fmt("%.1f", rss_avg) << " MiB  max " << fmt("%.1f", rss_max) << " MiB\n";
  }
  for (int i = 0; i < static_cast<int>(Phase::count); ++i) {
    const double t = timers.all()[i];
    const double mn = comm.allreduce_min(t), mx = comm.allreduce_max(t);
    const double avg = comm.allreduce_sum(t) / p;
    if (comm.rank() == 0 && mx > 0) {
      out << "  phase " << std::left << std::setw(15) << phase_names[i] << std::right << " min "
          << fmt("%9.4f", mn) << " s  avg " << fmt("%9.4f", avg) << " s  max " << fmt("%9.4f", mx)
          << " s  (" << fmt("%.2e", avg / static_cast<double>(std::max<std::int64_t>(iters, 1)))
          << " s/iter avg)\n";
    }
  }
}

std::vector<io::Attribute> model_attributes(const NmfParams& p, std::int64_t k,
                                            std::int64_t n_features, std::int64_t n_iter,
                                            double err, Init init_used, const GridShape& grid,
                                            io::ElementType type, double seconds) {
  using io::Attribute;
  std::vector<Attribute> a;
  a.push_back(Attribute::of("reconstruction_err_", err));
  a.push_back(Attribute::of("n_iter_", n_iter));
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
  a.push_back(Attribute::of("dnmf_grid", grid.str()));
  a.push_back(Attribute::of("dnmf_dtype", to_string(type)));
  a.push_back(Attribute::of("dnmf_fit_seconds", seconds));
  return a;
}

ModelFile read_model(const mpi::Comm& comm, const std::string& path) {
  ModelFile m;
  m.path = path;
  const std::vector<io::Attribute> attrs = io::read_root_attributes(comm, path);
  const io::DatasetInfo h = io::probe_dense(comm, io::ObjectPath{path, "/H"});
  mpi::agree(comm, [&] {
    // The parameters come back through the same sklearn-named settings as the command line.
    cli::Settings s;
    std::int64_t k = -1, p = -1;
    for (const io::Attribute& a : attrs) {
      if (a.name == "n_components_") k = a.integer;
      if (a.name == "n_features_in_") p = a.integer;
      const auto& keys = cli::fit_keys();
      if (std::find(keys.begin(), keys.end(), a.name) == keys.end()) continue;
      if (a.kind == io::Attribute::Kind::text) {
        s[a.name] = a.text;
      } else if (a.kind == io::Attribute::Kind::integer) {
        s[a.name] =
            (a.name == "shuffle") ? (a.integer ? "true" : "false") : std::to_string(a.integer);
      } else {
        s[a.name] = fmt("%.17g", a.real);
      }
    }
    if (k < 1 || p < 1) {
      throw InputError("'" + path + "' is not a dnmf model (no n_components_ / n_features_in_)");
    }
    if (h.rows != k || h.cols != p) {
      throw InputError("'" + path + "': /H is " + std::to_string(h.rows) + " x " +
                       std::to_string(h.cols) + ", but the attributes say " + std::to_string(k) +
                       " x " + std::to_string(p));
    }
    m.params = cli::to_params(s);
    m.n_components = k;
    m.n_features = p;
    m.type = h.type;
  });
  m.feature_names = io::read_strings(comm, io::ObjectPath{path, "/feature_names"});
  return m;
}

template <typename T>
void write_w_and_h(io::AtomicFileWriter& file, const DistFactor<T>& w, const DistFactor<T>* ht) {
  const std::int64_t k = w.k();
  // Files hold rows in item order.
  in_item_order(w, [&](const DistFactor<T>& f) {
    file.write_block("W", f.global_rows(), k, f.owned(), Range{0, k}, f.local().data());
  });
  if (ht) {
    in_item_order(*ht, [&](const DistFactor<T>& f) {
      Matrix<T> h_block(k, f.owned().size);  // my columns of H, from my rows of Ht
      for (std::int64_t j = 0; j < h_block.cols(); ++j)
        for (std::int64_t c = 0; c < k; ++c) h_block(c, j) = f.local()(j, c);
      file.write_block("H", k, f.global_rows(), Range{0, k}, f.owned(), h_block.data());
    });
  }
}

template <typename T>
void write_factors(const mpi::Comm& comm, const std::string& output, const DistFactor<T>& w,
                   const DistFactor<T>* ht, const std::vector<std::string>& feature_names,
                   const std::vector<io::Attribute>& attrs) {
  const std::int64_t k = w.k();
  io::AtomicFileWriter file(comm, output);
  write_w_and_h(file, w, ht);
  if (!feature_names.empty()) file.write_strings("feature_names", feature_names);
  std::vector<std::string> names;  // sklearn's get_feature_names_out(): nmf0, nmf1, ...
  for (std::int64_t c = 0; c < k; ++c) names.push_back("nmf" + std::to_string(c));
  file.write_strings("component_names", names);
  file.write_attributes(attrs);
  file.commit();
}

#define DNMF_INSTANTIATE_APP(T)                                                              \
  template void read_h_as_ht<T>(const mpi::Comm&, const io::ObjectPath&, DistFactor<T>&);    \
  template void read_x<T>(const io::DatasetInfo&, DistMatrix<T>&, PhaseTimers&);             \
  template void read_w<T>(const mpi::Comm&, const io::ObjectPath&, DistFactor<T>&);          \
  template void write_w_and_h<T>(io::AtomicFileWriter&, const DistFactor<T>&,                \
                                 const DistFactor<T>*);                                      \
  template void write_factors<T>(const mpi::Comm&, const std::string&, const DistFactor<T>&, \
                                 const DistFactor<T>*, const std::vector<std::string>&,      \
                                 const std::vector<io::Attribute>&);
DNMF_INSTANTIATE_APP(double)
DNMF_INSTANTIATE_APP(float)
#undef DNMF_INSTANTIATE_APP

}  // namespace dnmf::app
