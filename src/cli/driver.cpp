// The `dnmf` command: rank 0 parses the command line (and config file), broadcasts the settings,
// every rank turns them into the typed configuration and runs the chosen subcommand.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <new>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "dnmf/app/commands.hpp"
#include "dnmf/cli/driver.hpp"
#include "dnmf/cli/settings.hpp"
#include "dnmf/mpi/comm.hpp"

namespace dnmf::cli {
namespace {

/// What rank 0 decided from the command line, in a broadcastable form.
struct Command {
  int status = -1;  ///< -1: run `name`; otherwise exit with this code (help, usage errors)
  std::string name, input, output, message;
  Settings settings;
  int info_ranks = 0;
  std::int64_t info_k = 20;

  std::string encode() const {
    std::ostringstream o;
    o << status << '\n'
      << name << '\n'
      << input << '\n'
      << output << '\n'
      << info_ranks << '\n'
      << info_k << '\n'
      << serialize(settings);
    return o.str();
  }
  static Command decode(const std::string& text) {
    Command c;
    std::istringstream in(text);
    std::string line;
    std::getline(in, line);
    c.status = std::stoi(line);
    std::getline(in, c.name);
    std::getline(in, c.input);
    std::getline(in, c.output);
    std::getline(in, line);
    c.info_ranks = std::stoi(line);
    std::getline(in, line);
    c.info_k = std::stoll(line);
    std::string rest((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    c.settings = deserialize(rest);
    return c;
  }
};

Command parse_command_line(int argc, char** argv, int world_size) {
  CLI::App app{"dnmf: distributed non-negative matrix factorization with scikit-learn's semantics"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "dnmf 0.1.0");
  Command cmd;

  // fit: every option is a scikit-learn parameter name with '_' written as '-'.
  CLI::App* fit = app.add_subcommand("fit", "factor X ~ W H and write MODEL.h5");
  fit->add_option("input", cmd.input, "INPUT: file.h5 (object /X) or file.h5:/path")->required();
  fit->add_option("--output,-o", cmd.output, "model file to write (HDF5)")->required();
  std::string config;
  fit->add_option("--config", config, "TOML file with sklearn-named keys (n_components, ...)");
  struct Opt {
    const char* flag;
    const char* key;
    const char* help;
  };
  const Opt opts[] = {
      {"--n-components", "n_components", "int >= 1 or 'auto' (default auto)"},
      {"--init", "init", "random, nndsvd, nndsvda, nndsvdar, custom (default: sklearn's rule)"},
      {"--init-W", "init_W", "custom W0: file.h5:/path (with --init custom)"},
      {"--init-H", "init_H", "custom H0: file.h5:/path (with --init custom)"},
      {"--solver", "solver", "cd, mu or anls-bpp (default cd)"},
      {"--beta-loss", "beta_loss", "frobenius, kullback-leibler, itakura-saito or a number"},
      {"--tol", "tol", "stopping tolerance, real >= 0 (default 1e-4)"},
      {"--max-iter", "max_iter", "maximum iterations, int >= 1 (default 200)"},
      {"--random-state", "random_state", "seed, int in [0, 2^32)"},
      {"--alpha-W", "alpha_W", "penalty weight on W, real >= 0 (default 0)"},
      {"--alpha-H", "alpha_H", "penalty weight on H, real >= 0 or 'same' (default same)"},
      {"--l1-ratio", "l1_ratio", "L1 share of the penalty, in [0, 1] (default 0)"},
      {"--dtype", "dtype", "float64 or float32 (default: the input's)"},
      {"--grid", "grid", "process grid PRxPC with PR*PC = ranks (default: least communication)"},
      {"--checkpoint", "checkpoint",
       "checkpoint file, written on SIGUSR1/SIGTERM (then exit 75) and per the options below"},
      {"--checkpoint-every", "checkpoint_every", "also checkpoint every N iterations"},
      {"--checkpoint-seconds", "checkpoint_seconds", "also checkpoint every S seconds"},
      {"--resume", "resume", "continue from this checkpoint (a missing file starts afresh)"},
      {"--missing", "missing",
       "nan (NaN entries of dense X are missing) or unstored (sparse X: only stored entries "
       "are observed)"},
      {"--mask", "mask", "FILE.h5:/M, a dataset or sparse group of X's shape, nonzero = observed"},
  };
  Settings cli_values;
  std::vector<std::pair<CLI::Option*, std::string>> bound;
  std::vector<std::string> storage(std::size(opts));
  for (std::size_t i = 0; i < std::size(opts); ++i) {
    // The last occurrence wins, so wrapper scripts can put defaults first and let users override.
    bound.emplace_back(fit->add_option(opts[i].flag, storage[i], opts[i].help)
                           ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast),
                       opts[i].key);
  }
  bool shuffle = false;
  CLI::Option* shuffle_opt =
      fit->add_flag("--shuffle", shuffle, "randomize the cd coordinate order");
  std::string verbose;
  CLI::Option* verbose_opt =
      fit->add_option("--verbose,-v", verbose, "progress table (optionally a level: 1, 2)")
          ->expected(0, 1);

  // select-k: fit's options that make sense for one fit of many (not n_components, the grid,
  // custom inits or the fit's checkpoint cadence), plus its own.
  CLI::App* select = app.add_subcommand(
      "select-k", "choose k by held-out error and stability; write SELECTION.h5 (+ CSV, PNG)");
  std::string sk_input, sk_output, sk_range, sk_rule = "1se", sk_refit, sk_plot;
  select->add_option("input", sk_input, "INPUT: file.h5 (object /X) or file.h5:/path")->required();
  select->add_option("--output,-o", sk_output, "selection file to write (HDF5)")->required();
  select->add_option("--k", sk_range, "the k to try: FIRST:LAST[:STEP]")->required();
  std::int64_t sk_replicates = 3, sk_group_size = 0;
  std::string sk_holdout = "0.1";  // travels as typed, like fit's settings
  bool sk_resume = false;
  select->add_option("--replicates", sk_replicates, "fits per k, each with its own hold-out (3)");
  select->add_option("--holdout", sk_holdout, "fraction of the entries held out, in (0, 1) (0.1)");
  select->add_option("--group-size", sk_group_size,
                     "ranks per group of whole fits (default: from X's size and the fits)");
  select->add_option("--rule", sk_rule, "1se (smallest k within one standard error) or min");
  select->add_option("--refit", sk_refit, "fit all of X at the chosen k and write this model");
  select->add_option("--plot", sk_plot, "draw errors and stability against k as this PNG");
  select->add_flag("--resume", sk_resume, "skip the fits recorded in --checkpoint FOLDER");
  std::vector<std::pair<CLI::Option*, std::string>> sk_bound;
  std::vector<std::string> sk_storage(std::size(opts));
  for (std::size_t i = 0; i < std::size(opts); ++i) {
    const std::string key = opts[i].key;
    if (key == "n_components" || key == "grid" || key == "init_W" || key == "init_H" ||
        key == "checkpoint_every" || key == "checkpoint_seconds" || key == "resume")
      continue;
    const char* help =
        key == "checkpoint" ? "folder recording each finished fit (stop: SIGUSR1, exit 75)"
        : key == "solver"   ? "mu or anls-bpp (default anls-bpp; mu unless beta_loss is 2)"
                            : opts[i].help;
    sk_bound.emplace_back(select->add_option(opts[i].flag, sk_storage[i], help)
                              ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast),
                          key);
  }

  // transform / inverse-transform: apply a fitted model.
  std::string model_path, apply_input, apply_output, apply_grid, apply_missing, apply_mask;
  double max_output_gb = 64;
  CLI::App* transform = app.add_subcommand("transform", "W for new data with the model's H fixed");
  CLI::App* inverse =
      app.add_subcommand("inverse-transform", "X = W H for a W (e.g. a transform output)");
  for (CLI::App* sub : {transform, inverse}) {
    sub->add_option("--model,-m", model_path, "MODEL.h5 written by dnmf fit")->required();
    sub->add_option("input", apply_input,
                    sub == transform ? "INPUT: file.h5 (object /X) or file.h5:/path"
                                     : "INPUT: file.h5 (object /W) or file.h5:/path")
        ->required();
    sub->add_option("--output,-o", apply_output, "file to write (HDF5)")->required();
    sub->add_option("--grid", apply_grid, "process grid PRxPC (default: least communication)");
  }
  transform->add_option("--missing", apply_missing,
                        "nan or unstored: as fit's, W fitted on the observed entries");
  transform->add_option("--mask", apply_mask,
                        "FILE.h5:/M, a dataset or sparse group of X's shape, nonzero = observed");
  inverse->add_option("--max-output-gb", max_output_gb,
                      "refuse to write a dense X larger than this (default 64)");

  CLI::App* convert = app.add_subcommand("convert", "Matrix Market (.mtx) to an HDF5 CSR group");
  std::string convert_src, convert_dst;
  convert->add_option("source", convert_src, "SRC.mtx")->required();
  convert
      ->add_option("target", convert_dst,
                   "DST.h5 (object /X) or DST.h5:/path; an existing file keeps its other "
                   "objects")
      ->required();
  bool convert_overwrite = false;
  convert->add_flag("--overwrite", convert_overwrite,
                    "replace the object if DST already holds it (other objects are kept)");

  CLI::App* info = app.add_subcommand("info", "print shape, dtype and the per-rank memory plan");
  std::string info_input;
  info->add_option("input", info_input, "INPUT: file.h5 or file.h5:/path")->required();
  info->add_option("--ranks", cmd.info_ranks, "plan for this many ranks (default: this job's)");
  info->add_option("--n-components", cmd.info_k, "plan for this k (default 20)");
  // The fit planned for: these change the solver's workspaces, the init's and the grid.
  std::string info_solver = "cd", info_beta = "frobenius", info_init, info_dtype;
  info->add_option("--solver", info_solver,
                   "plan for this solver: cd, mu or anls-bpp (default cd)");
  info->add_option("--beta-loss", info_beta, "plan for this beta_loss (default frobenius)");
  info->add_option("--init", info_init, "plan for this init (default: sklearn's rule)");
  info->add_option("--dtype", info_dtype, "plan for float64 or float32 (default: the input's)");
  std::string info_missing, info_mask;
  info->add_option("--missing", info_missing, "plan with missing entries: nan or unstored");
  info->add_option("--mask", info_mask, "plan with this mask (FILE.h5:/M)");

  // An unknown first word would only get CLI11's "A subcommand is required": name it instead.
  if (argc > 1 && argv[1][0] != '-') {
    const std::string word = argv[1];
    if (word != "fit" && word != "transform" && word != "inverse-transform" && word != "info" &&
        word != "convert" && word != "select-k") {
      cmd.status = 2;
      cmd.message = "dnmf: error: unknown command '" + word +
                    "'; expected fit, transform, inverse-transform, info, convert or select-k\n"
                    "Run 'dnmf --help' for usage.\n";
      return cmd;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    cmd.status = 0;
    cmd.message = app.help();
    if (fit->parsed()) cmd.message = fit->help();
    if (info->parsed()) cmd.message = info->help();
    if (transform->parsed()) cmd.message = transform->help();
    if (inverse->parsed()) cmd.message = inverse->help();
    if (convert->parsed()) cmd.message = convert->help();
    if (select->parsed()) cmd.message = select->help();
    return cmd;
  } catch (const CLI::CallForVersion&) {
    cmd.status = 0;
    cmd.message = "dnmf 0.1.0\n";
    return cmd;
  } catch (const CLI::ParseError& e) {
    cmd.status = 2;  // CLI11's own codes (105-109) become the documented usage code
    cmd.message = std::string("dnmf: error: ") + e.what() + "\nRun 'dnmf --help' for usage.\n";
    return cmd;
  }

  if (fit->parsed()) {
    cmd.name = "fit";
    for (const auto& [opt, key] : bound)
      if (opt->count() > 0) cli_values[key] = opt->as<std::string>();
    if (shuffle_opt->count() > 0) cli_values["shuffle"] = shuffle ? "true" : "false";
    if (verbose_opt->count() > 0) cli_values["verbose"] = verbose.empty() ? "1" : verbose;
    try {
      const Settings from_file = config.empty() ? Settings{} : read_config_file(config);
      check_single_line(cli_values, "command line");
      cmd.settings = merge(from_file, cli_values);
    } catch (const dnmf::Error& e) {
      cmd.status = static_cast<int>(e.code());
      cmd.message = std::string("dnmf: error: ") + e.what() + "\n";
    }
  } else if (select->parsed()) {
    cmd.name = "select-k";
    cmd.input = sk_input;
    cmd.output = sk_output;
    for (const auto& [opt, key] : sk_bound)
      if (opt->count() > 0) cmd.settings[key] = opt->as<std::string>();
    cmd.settings["sk_k"] = sk_range;
    cmd.settings["sk_replicates"] = std::to_string(sk_replicates);
    cmd.settings["sk_holdout"] = sk_holdout;
    cmd.settings["sk_group_size"] = std::to_string(sk_group_size);
    cmd.settings["sk_rule"] = sk_rule;
    cmd.settings["sk_refit"] = sk_refit;
    cmd.settings["sk_plot"] = sk_plot;
    cmd.settings["sk_resume"] = sk_resume ? "1" : "0";
    try {
      check_single_line(cmd.settings, "command line");
    } catch (const dnmf::Error& e) {
      cmd.status = static_cast<int>(e.code());
      cmd.message = std::string("dnmf: error: ") + e.what() + "\n";
    }
  } else if (transform->parsed() || inverse->parsed()) {
    cmd.name = transform->parsed() ? "transform" : "inverse-transform";
    cmd.input = apply_input;
    cmd.output = apply_output;
    cmd.settings = {{"model", model_path},
                    {"grid", apply_grid},
                    {"missing", apply_missing},
                    {"mask", apply_mask},
                    {"max_output_gb", std::to_string(max_output_gb)}};
  } else if (convert->parsed()) {
    cmd.name = "convert";
    cmd.input = convert_src;
    cmd.output = convert_dst;
    cmd.settings = {{"overwrite", convert_overwrite ? "1" : "0"}};
  } else {
    cmd.name = "info";
    cmd.input = info_input;
    cmd.settings = {{"solver", info_solver}, {"beta_loss", info_beta},  {"init", info_init},
                    {"dtype", info_dtype},   {"missing", info_missing}, {"mask", info_mask}};
    if (cmd.info_ranks <= 0) cmd.info_ranks = world_size;
  }
  return cmd;
}

/// The typed configurations of the subcommands, from what rank 0 broadcast. Throws UsageError.
app::ApplyConfig apply_config(const Command& cmd) {
  app::ApplyConfig c;
  c.model = cmd.settings.at("model");
  c.input = cmd.input;
  c.output = cmd.output;
  const std::string& grid = cmd.settings.at("grid");
  if (!grid.empty()) c.grid = parse_grid(grid, "grid");
  c.max_output_gb = std::stod(cmd.settings.at("max_output_gb"));
  c.missing = app::parse_missing(cmd.settings.at("missing"), cmd.settings.at("mask"));
  return c;
}

/// `dnmf select-k`'s configuration: the fits' settings (its own "sk_" keys taken out first)
/// and the selection's. Throws UsageError.
app::SelectKConfig select_k_config(const Command& cmd) {
  Settings fit_settings;
  for (const auto& [key, value] : cmd.settings)
    if (key.rfind("sk_", 0) != 0) fit_settings[key] = value;
  if (!fit_settings.count("solver")) {  // cd cannot skip entries: the masked solvers
    const std::string beta = get(fit_settings, "beta_loss", "frobenius");
    fit_settings["solver"] =
        beta == "frobenius" || beta == "2" || beta == "2.0" ? "anls-bpp" : "mu";
  }
  // Held-out errors compare fits, so the fits must have converged: tighter defaults than fit's.
  if (!fit_settings.count("tol")) fit_settings["tol"] = "1e-6";
  if (!fit_settings.count("max_iter")) fit_settings["max_iter"] = "500";
  app::SelectKConfig c;
  c.fit = to_run_config(fit_settings);
  c.fit.input = cmd.input;
  c.output = cmd.output;
  check_whole_file("--output", cmd.output, "the selection's objects are /tasks, /summary");
  const std::string range = cmd.settings.at("sk_k");
  std::vector<std::int64_t> parts;
  std::stringstream in(range);
  for (std::string item; std::getline(in, item, ':');) {
    try {
      std::size_t used = 0;
      parts.push_back(std::stoll(item, &used));
      if (used != item.size()) throw std::invalid_argument(item);
    } catch (const std::exception&) {
      throw UsageError("--k: expected FIRST:LAST[:STEP] (integers), got '" + range + "'");
    }
  }
  if (parts.size() == 1) parts.push_back(parts[0]);
  if (parts.size() < 2 || parts.size() > 3) {
    throw UsageError("--k: expected FIRST:LAST[:STEP], got '" + range + "'");
  }
  c.k_first = parts[0];
  c.k_last = parts[1];
  c.k_step = parts.size() == 3 ? parts[2] : 1;
  c.replicates = std::stoll(cmd.settings.at("sk_replicates"));
  const std::string holdout = cmd.settings.at("sk_holdout");
  try {
    std::size_t used = 0;
    c.holdout = std::stod(holdout, &used);
    if (used != holdout.size()) throw std::invalid_argument(holdout);
  } catch (const std::exception&) {
    throw UsageError("--holdout: expected a fraction in (0, 1), got '" + holdout + "'");
  }
  c.group_size = static_cast<int>(std::stoll(cmd.settings.at("sk_group_size")));
  const std::string rule = cmd.settings.at("sk_rule");
  if (rule != "1se" && rule != "min") {
    throw UsageError("--rule: expected '1se' or 'min', got '" + rule + "'");
  }
  c.rule_min = rule == "min";
  c.refit = cmd.settings.at("sk_refit");
  c.plot = cmd.settings.at("sk_plot");
  c.resume = cmd.settings.at("sk_resume") == "1";
  if (!c.refit.empty()) check_whole_file("--refit", c.refit, "the model's objects are /W, /H");
  return c;
}

/// `dnmf info`'s plan: the fit's solver, beta_loss, init and dtype. Throws UsageError.
app::InfoConfig info_config(const Command& cmd) {
  app::InfoConfig c{cmd.input, cmd.info_ranks, cmd.info_k, {}, std::nullopt, false, {}};
  if (cmd.info_k < 1) throw UsageError("n_components: expected an int >= 1 for info");
  c.params.n_components = cmd.info_k;
  c.params.solver = parse_solver(cmd.settings.at("solver"));
  c.params.beta_loss = cmd.settings.at("beta_loss");
  c.params.beta();  // checks the text
  if (!cmd.settings.at("init").empty()) c.params.init = parse_init(cmd.settings.at("init"));
  if (!cmd.settings.at("dtype").empty()) c.dtype = parse_dtype(cmd.settings.at("dtype"));
  c.masked = app::parse_missing(cmd.settings.at("missing"), cmd.settings.at("mask")).any();
  c.mask = cmd.settings.at("mask");
  return c;
}

}  // namespace

int run(int argc, char** argv, const app::FitHooks& hooks) {
  // A checkpointing fit catches its stop signals from the first instruction on, before MPI's
  // start-up (app::fit installs them again for a checkpoint named in a config file).
  if (argc > 1 && (std::string(argv[1]) == "fit" || std::string(argv[1]) == "select-k")) {
    for (int i = 2; i < argc; ++i)
      if (std::string(argv[i]).rfind("--checkpoint", 0) == 0) app::install_stop_signals();
  }
  mpi::Environment env(argc, argv);
  const mpi::Comm world = env.world();
  const int rank = world.rank();
  // Only for agreeing on a failure raised outside a collective (see out_of_memory below).
  const mpi::Comm spare = world.dup();
  // An allocation failure: reported once and ended with exit 6 when every rank had it (the
  // usual case, as every rank allocates the same sizes), else by this rank, aborting the job.
  auto out_of_memory = [&](const std::exception& e) {
    const int code = static_cast<int>(ExitCode::out_of_memory);
    if (mpi::all_failed_within(spare, 5.0)) {
      if (rank == 0) std::cerr << "dnmf: error: " << mpi::out_of_memory_message(e) << std::endl;
      return code;
    }
    std::cerr << "dnmf: error (rank " << rank << "): " << mpi::out_of_memory_message(e)
              << std::endl;
    MPI_Abort(world.get(), code);
    return code;
  };
  try {
    std::string encoded;
    Command cmd;
    if (rank == 0) {
      cmd = parse_command_line(argc, argv, world.size());
      encoded = cmd.encode();
    }
    world.bcast(encoded, 0);
    std::string message = cmd.message;
    world.bcast(message, 0);
    cmd = Command::decode(encoded);
    if (cmd.status >= 0) {
      if (rank == 0) (cmd.status == 0 ? std::cout : std::cerr) << message << std::flush;
      return cmd.status;
    }
    // The edge: from here on the commands see typed values only. Every rank converts the same
    // text, so a bad value is the same error everywhere.
    if (cmd.name == "fit") {
      app::RunConfig config;
      mpi::agree(world, [&] {
        config = to_run_config(cmd.settings);
        check_whole_file("--output", cmd.output,
                         "the model's objects are /W, /H, /feature_names, /component_names");
      });
      config.input = cmd.input;
      config.output = cmd.output;
      const NmfParams& p = config.params;
      if (rank == 0 && p.init != Init::custom &&
          (!config.init_W.empty() || !config.init_H.empty())) {
        // scikit-learn 1.6's words (two spaces included), from NMF._check_w_h.
        std::cerr << "RuntimeWarning: When init!='custom', provided W or H are ignored. Set  "
                     "init='custom' to use them as initialization.\n"
                  << std::flush;
      }
      return app::fit(world, config, std::cout, hooks);
    } else if (cmd.name == "transform" || cmd.name == "inverse-transform") {
      app::ApplyConfig config;
      mpi::agree(world, [&] {
        config = apply_config(cmd);
        check_whole_file("--output", cmd.output,
                         cmd.name == "transform" ? "the output's objects are /W, /component_names"
                                                 : "the output's objects are /X, /feature_names");
      });
      if (cmd.name == "transform") {
        app::transform(world, config, std::cout);
      } else {
        app::inverse_transform(world, config, std::cout);
      }
    } else if (cmd.name == "select-k") {
      app::SelectKConfig config;
      mpi::agree(world, [&] { config = select_k_config(cmd); });
      return app::select_k(world, config, std::cout);
    } else if (cmd.name == "convert") {
      app::convert(world,
                   app::ConvertConfig{cmd.input, cmd.output, get(cmd.settings, "overwrite") == "1"},
                   std::cout);
    } else {
      app::InfoConfig config{cmd.input, cmd.info_ranks, cmd.info_k, {}, std::nullopt, false, {}};
      mpi::agree(world, [&] { config = info_config(cmd); });
      app::info(world, config, std::cout);
    }
    return 0;
  } catch (const mpi::CollectiveError& e) {
    // Every rank holds this same error: report once and leave together.
    if (rank == 0) std::cerr << "dnmf: error: " << e.what() << std::endl;
    return static_cast<int>(e.code());
  } catch (const Error& e) {
    // Raised on this rank alone: the others may be waiting in a collective, so end the job.
    std::cerr << "dnmf: error (rank " << rank << "): " << e.what() << std::endl;
    MPI_Abort(world.get(), static_cast<int>(e.code()));
  } catch (const std::bad_alloc& e) {
    return out_of_memory(e);
  } catch (const std::length_error& e) {
    return out_of_memory(e);
  } catch (const std::exception& e) {
    std::cerr << "dnmf: internal error (rank " << rank << "): " << e.what() << std::endl;
    MPI_Abort(world.get(), 1);
  }
  return 1;
}

}  // namespace dnmf::cli
