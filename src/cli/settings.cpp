#include "dnmf/cli/settings.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "dnmf/core/error.hpp"

namespace dnmf::cli {

const std::vector<std::string>& fit_keys() {
  static const std::vector<std::string> keys = {"n_components",
                                                "init",
                                                "init_W",
                                                "init_H",
                                                "solver",
                                                "beta_loss",
                                                "tol",
                                                "max_iter",
                                                "random_state",
                                                "alpha_W",
                                                "alpha_H",
                                                "l1_ratio",
                                                "shuffle",
                                                "verbose",
                                                "dtype",
                                                "grid",
                                                "checkpoint",
                                                "checkpoint_every",
                                                "checkpoint_seconds",
                                                "resume",
                                                "missing",
                                                "mask"};
  return keys;
}

namespace {

std::string format_real(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string node_text(const toml::node& n, const std::string& key, const std::string& origin) {
  if (auto v = n.as_string()) return v->get();
  if (auto v = n.as_integer()) return std::to_string(v->get());
  if (auto v = n.as_floating_point()) return format_real(v->get());
  if (auto v = n.as_boolean()) return v->get() ? "true" : "false";
  throw UsageError(origin + ": key '" + key + "' must be a string, number or boolean");
}

std::int64_t to_int(const std::string& key, const std::string& text) {
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  // The whole text must be the number: strtoll stops at an embedded NUL too.
  if (text.empty() || end != text.c_str() + text.size() || errno != 0) {
    throw UsageError(key + ": expected an integer, got '" + text + "'");
  }
  return v;
}

double to_real(const std::string& key, const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || std::isnan(v)) {
    throw UsageError(key + ": expected a real number, got '" + text + "'");
  }
  return v;
}

bool to_bool(const std::string& key, const std::string& text) {
  if (text == "true" || text == "1" || text == "True") return true;
  if (text == "false" || text == "0" || text == "False") return false;
  throw UsageError(key + ": expected true or false, got '" + text + "'");
}

}  // namespace

Settings parse_config_text(const std::string& text, const std::string& origin) {
  toml::table table;
  try {
    table = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << origin << ": invalid TOML at line " << e.source().begin.line << ": " << e.description();
    throw UsageError(msg.str());
  }
  Settings s;
  const auto& keys = fit_keys();
  for (const auto& [k, node] : table) {
    const std::string key(k.str());
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      throw UsageError(origin + ": unknown key '" + key + "'");
    }
    s[key] = node_text(node, key, origin);
  }
  check_single_line(s, origin);
  return s;
}

void check_single_line(const Settings& s, const std::string& origin) {
  // Settings travel as one "key=value" line each (broadcast, checkpoints): a line break inside
  // a value would smuggle in other settings.
  for (const auto& [key, value] : s) {
    if (key.find_first_of("\n\r") != std::string::npos ||
        value.find_first_of("\n\r") != std::string::npos) {
      throw UsageError(origin + ": the value of '" + key + "' must be a single line");
    }
  }
}

Settings read_config_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw IoError("cannot read config file '" + path + "'");
  std::string text;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  return parse_config_text(text, path);
}

Settings merge(const Settings& low, const Settings& high) {
  Settings out = low;
  for (const auto& [k, v] : high) out[k] = v;
  return out;
}

std::string serialize(const Settings& s) {
  std::string out;
  for (const auto& [k, v] : s) out += k + "=" + v + "\n";
  return out;
}

Settings deserialize(const std::string& text) {
  Settings s;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) s[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return s;
}

std::string get(const Settings& s, const std::string& key, const std::string& fallback) {
  const auto it = s.find(key);
  return it == s.end() ? fallback : it->second;
}

NmfParams to_params(const Settings& s) {
  NmfParams p;
  const std::string k = get(s, "n_components", "auto");
  if (k == "None") {
    p.n_components_none = true;
  } else if (k != "auto") {
    p.n_components = to_int("n_components", k);
  }
  p.init = parse_init(get(s, "init", "None"));
  p.solver = parse_solver(get(s, "solver", "cd"));
  p.beta_loss = get(s, "beta_loss", "frobenius");
  p.tol = to_real("tol", get(s, "tol", "0.0001"));
  p.max_iter = to_int("max_iter", get(s, "max_iter", "200"));
  const std::string seed = get(s, "random_state", "None");
  if (seed != "None") {
    const std::int64_t v = to_int("random_state", seed);
    if (v < 0 || v > 4294967295LL) {
      throw UsageError("random_state: must be an integer in [0, 2**32 - 1], got " + seed);
    }
    p.random_state = static_cast<std::uint32_t>(v);
  }
  p.alpha_W = to_real("alpha_W", get(s, "alpha_W", "0"));
  const std::string ah = get(s, "alpha_H", "same");
  if (ah != "same") p.alpha_H = to_real("alpha_H", ah);
  p.l1_ratio = to_real("l1_ratio", get(s, "l1_ratio", "0"));
  p.shuffle = to_bool("shuffle", get(s, "shuffle", "false"));
  const std::string verbose = get(s, "verbose", "0");
  const std::int64_t level = verbose == "true"    ? 1
                             : verbose == "false" ? 0
                                                  : to_int("verbose", verbose);
  if (level < 0 || level > 1000)
    throw UsageError("verbose: expected a level in [0, 1000], got " + verbose);
  p.verbose = static_cast<int>(level);
  p.validate();
  return p;
}

io::ElementType parse_dtype(const std::string& text) {
  if (text == "float64") return io::ElementType::float64;
  if (text == "float32") return io::ElementType::float32;
  throw UsageError("dtype: expected 'float64' or 'float32', got '" + text + "'");
}

void check_whole_file(const std::string& flag, const std::string& spec,
                      const std::string& objects) {
  const io::ObjectPath path = io::parse_object_path(spec, "");
  if (path.object.empty()) return;
  throw UsageError(flag + " names a whole file; use " + flag + " " + path.file + " (" + objects +
                   "), not '" + spec + "'");
}

app::RunConfig to_run_config(const Settings& s) {
  app::RunConfig c;
  c.params = to_params(s);  // parameters first, as scikit-learn
  c.missing = app::parse_missing(get(s, "missing"), get(s, "mask"));
  const std::string dtype = get(s, "dtype");
  if (!dtype.empty()) c.dtype = parse_dtype(dtype);
  const std::string grid = get(s, "grid");
  if (!grid.empty()) c.grid = parse_grid(grid, "grid");
  c.init_W = get(s, "init_W");
  c.init_H = get(s, "init_H");
  app::CheckpointPlan& k = c.checkpoint;
  k.path = get(s, "checkpoint");
  k.resume = get(s, "resume");
  if (!k.path.empty())
    check_whole_file("--checkpoint", k.path, "the checkpoint's objects are /W, /H");
  try {
    k.every = std::stoll(get(s, "checkpoint_every", "0"));
    k.seconds = std::stod(get(s, "checkpoint_seconds", "0"));
  } catch (const std::exception&) {
    throw UsageError("checkpoint_every / checkpoint_seconds: expected numbers");
  }
  // Absent means "no periodic checkpoints"; an explicit 0 would silently mean the same, which
  // reads like "every iteration" to some: refuse it.
  if (s.count("checkpoint_every") && k.every == 0) {
    throw UsageError(
        "checkpoint_every must be >= 1; leave it out to checkpoint only on signals and "
        "--checkpoint-seconds");
  }
  if (k.every < 0 || k.seconds < 0) {
    throw UsageError("checkpoint_every and checkpoint_seconds must be >= 0");
  }
  if ((k.every > 0 || k.seconds > 0) && k.path.empty()) {
    throw UsageError("checkpoint_every / checkpoint_seconds need --checkpoint FILE");
  }
  return c;
}

}  // namespace dnmf::cli
