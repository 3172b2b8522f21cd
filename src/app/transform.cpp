// `dnmf transform` and `dnmf inverse-transform`: apply a fitted model file.

#include <iostream>

#include "dnmf/app/commands.hpp"
#include "dnmf/io/model_file.hpp"
#include "dnmf/nmf/estimator.hpp"
#include "dnmf/nmf/init.hpp"
#include "factor_io.hpp"
#include "missing.hpp"
#include "plan.hpp"
#include "report.hpp"

namespace dnmf::app {
namespace {

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
ModelFile read_model(const mpi::Comm& comm, const std::string& path) {
  ModelFile m;
  m.path = path;
  const std::vector<io::Attribute> attrs = io::read_root_attributes(comm, path);
  const io::DatasetInfo h = io::probe_dense(comm, io::ObjectPath{path, "/H"});
  mpi::agree(comm, [&] {
    const io::ModelFacts facts = io::model_facts(attrs, path);
    // The model's H is checked like a custom init (scikit-learn's _check_init in transform).
    check_factor_shape("H", "model " + path + ":/H", h.rows, h.cols, facts.n_components,
                       facts.n_features);
    m.params = facts.params;
    m.n_components = facts.n_components;
    m.n_features = facts.n_features;
    m.type = h.type;
  });
  m.feature_names = io::read_strings(comm, io::ObjectPath{path, "/feature_names"});
  return m;
}

/// The model's estimator, with H read into Ht's blocks along `axis`.
template <typename T>
NMF<T> load_model(const ProcessGrid& grid, const ModelFile& model_file, const Axis& axis) {
  NMF<T> model(model_file.params);
  DistFactor<T> ht(grid, FactorSide::features, axis, model_file.n_components);
  read_h_as_ht(grid.all(), io::ObjectPath{model_file.path, "/H"}, ht);
  // Negative, all-zero or non-finite: refused as scikit-learn refuses such an H.
  naming_input("model " + model_file.path + ":/H",
               [&] { mpi::agree(grid.all(), [&] { check_custom_factor(ht, "H"); }); });
  model.set_components(std::move(ht));
  return model;
}

template <typename T>
void transform_typed(const mpi::Comm& comm, const ModelFile& model_file,
                     const io::DatasetInfo& xinfo, const std::string& output,
                     const std::optional<GridShape>& grid_spec, const MissingSpec& missing,
                     std::ostream& out) {
  const std::int64_t n = xinfo.rows, p = xinfo.cols, k = model_file.n_components;
  const GridShape shape = pick_grid(comm, grid_spec, n, p, k);
  ProcessGrid grid(comm, shape);
  // H in uniform blocks; transform moves it to X's blocks (balanced by entries when sparse).
  NMF<T> model = load_model<T>(grid, model_file, Axis::uniform(p, grid.pc()));
  DistMatrix<T> x(grid, n, p, xinfo.sparse ? Storage::sparse : Storage::dense);
  read_x(xinfo, x, model.timers());
  apply_missing(missing, xinfo, x, /*check_columns=*/false);  // H is fixed: only W's rows count
  model.set_observer(progress_printer(grid.all(), model_file.params, out));
  const DistFactor<T> w = naming_input(xinfo.path.str(), [&] { return model.transform(x); });
  const FitResult& r = model.last_run();
  if (comm.rank() == 0 && r.n_iter == model_file.params.max_iter && model_file.params.tol > 0) {
    std::cerr << "ConvergenceWarning: Maximum number of iterations " << model_file.params.max_iter
              << " reached. Increase it to improve convergence.\n";
  }
  std::vector<io::Attribute> attrs = {io::Attribute::of("n_iter_", r.n_iter),
                                      io::Attribute::of("model", model_file.path),
                                      io::Attribute::of("dnmf_grid", shape.str())};
  write_factors<T>(grid.all(), output, w, nullptr, {}, attrs);
  if (comm.rank() == 0) {
    out << "dnmf transform: " << n << "x" << p << " k=" << k
        << " solver=" << to_string(model_file.params.solver) << " grid=" << shape.str()
        << " n_iter=" << r.n_iter << " time=" << fmt("%.3f", r.seconds) << "s -> " << output << "\n"
        << std::flush;
  }
}

template <typename T>
void inverse_typed(const mpi::Comm& comm, const ModelFile& model_file, const io::DatasetInfo& winfo,
                   const std::string& output, const std::optional<GridShape>& grid_spec,
                   double max_output_gb, std::ostream& out) {
  const std::int64_t n = winfo.rows, k = model_file.n_components, p = model_file.n_features;
  const double bytes = static_cast<double>(n) * static_cast<double>(p) * sizeof(T);
  if (comm.rank() == 0) {
    out << "dnmf inverse-transform: writing X = W H, " << n << " x " << p << " "
        << (sizeof(T) == 4 ? "float32" : "float64") << " (" << fmt("%.3f", bytes / 1e9) << " GB)\n"
        << std::flush;
  }
  mpi::agree(comm, [&] {
    if (bytes > max_output_gb * 1e9) {
      throw UsageError("inverse-transform: the output would be " + fmt("%.1f", bytes / 1e9) +
                       " GB, above --max-output-gb " + fmt("%g", max_output_gb) +
                       "; raise the limit to write it");
    }
  });
  const GridShape shape = pick_grid(comm, grid_spec, n, p, k);
  ProcessGrid grid(comm, shape);
  const NMF<T> model = load_model<T>(grid, model_file, Axis::uniform(p, grid.pc()));
  DistFactor<T> w(grid, FactorSide::samples, n, k);
  read_w(grid.all(), winfo.path, w);
  const DistMatrix<T> x = model.inverse_transform(w);
  io::AtomicFileWriter file(grid.all(), output, false,
                            n * p * static_cast<std::int64_t>(sizeof(T)));
  file.write_block("X", n, p, x.row_range(), x.col_range(), x.local().data());
  if (model_file.feature_names.size() == static_cast<std::size_t>(p)) {
    file.write_strings("feature_names", model_file.feature_names);
  }
  file.commit();
  if (comm.rank() == 0) out << "dnmf inverse-transform: -> " << output << "\n" << std::flush;
}

}  // namespace

void transform(const mpi::Comm& comm, const ApplyConfig& cfg, std::ostream& out) {
  const std::string &model_path = cfg.model, &input = cfg.input;
  check_outputs(comm,
                {{"the input X", input}, {"--model", model_path}, {"--mask", cfg.missing.mask}},
                {{"--output", cfg.output}});
  const ModelFile model = read_model(comm, model_path);
  const io::DatasetInfo xinfo = probe_input(comm, input);
  mpi::agree(comm, [&] {
    if (xinfo.cols != model.n_features) {
      throw InputError("X has " + std::to_string(xinfo.cols) + " features, but NMF is expecting " +
                       std::to_string(model.n_features) + " features as input (" + input +
                       " vs model " + model_path + ")");
    }
    // scikit-learn does not cast H to X's dtype (integers in X become float64).
    const io::ElementType x_type = compute_type(xinfo, std::nullopt);
    if (model.type != x_type) {
      const std::string h_type =
          model.type == io::ElementType::integer ? std::string("int64") : to_string(model.type);
      throw InputError("H should have the same dtype as X. Got H.dtype = " + h_type + ". (model " +
                       model_path + " holds " + h_type + ", " + input + " is " + to_string(x_type) +
                       ")");
    }
  });
  if (model.type == io::ElementType::float32) {
    transform_typed<float>(comm, model, xinfo, cfg.output, cfg.grid, cfg.missing, out);
  } else {
    transform_typed<double>(comm, model, xinfo, cfg.output, cfg.grid, cfg.missing, out);
  }
}

void inverse_transform(const mpi::Comm& comm, const ApplyConfig& cfg, std::ostream& out) {
  const std::string &model_path = cfg.model, &input = cfg.input;
  check_outputs(comm, {{"the input W", input}, {"--model", model_path}},
                {{"--output", cfg.output}});
  const ModelFile model = read_model(comm, model_path);
  const io::DatasetInfo winfo = io::probe_dense(comm, io::parse_object_path(input, "/W"));
  mpi::agree(comm, [&] {
    if (winfo.cols != model.n_components) {
      throw InputError("W has " + std::to_string(winfo.cols) + " columns, but the model has " +
                       std::to_string(model.n_components) + " components (" + input + " vs " +
                       model_path + ")");
    }
  });
  if (model.type == io::ElementType::float32) {
    inverse_typed<float>(comm, model, winfo, cfg.output, cfg.grid, cfg.max_output_gb, out);
  } else {
    inverse_typed<double>(comm, model, winfo, cfg.output, cfg.grid, cfg.max_output_gb, out);
  }
}

}  // namespace dnmf::app
