#include "checkpoint.hpp"

#include <csignal>
#include <cstdio>
#include <set>
#include <sstream>

#include "app_common.hpp"

namespace dnmf::app {
namespace {
volatile std::sig_atomic_t g_stop_signal = 0;
extern "C" void on_stop_signal(int) {
  g_stop_signal = 1;
}

/// The numpy RandomState words as hex text (an exact, compact attribute).
std::string encode_rng(const rng::NumpyRandomState::State& s) {
  std::string out;
  char buf[16];
  for (std::uint32_t word : s.key) {
    std::snprintf(buf, sizeof buf, "%08x", word);
    out += buf;
  }
  return out;
}

rng::NumpyRandomState::State decode_rng(const std::string& text, std::int64_t pos,
                                        std::int64_t has_gauss, double gauss) {
  rng::NumpyRandomState::State s;
  if (text.size() != s.key.size() * 8) throw InputError("checkpoint: corrupted random state");
  for (std::size_t i = 0; i < s.key.size(); ++i) {
    s.key[i] = static_cast<std::uint32_t>(std::stoul(text.substr(i * 8, 8), nullptr, 16));
  }
  s.pos = static_cast<std::uint32_t>(pos);
  s.has_gauss = has_gauss != 0;
  s.gauss = gauss;
  return s;
}
}  // namespace

void install_stop_signals() {
  struct sigaction sa = {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGUSR1, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool stop_signal_received() {
  return g_stop_signal != 0;
}

bool Fingerprint::matches(const Fingerprint& o) const {
  auto close = [](double a, double b) {
    return std::abs(a - b) <= 1e-10 * std::max({std::abs(a), std::abs(b), 1e-300});
  };
  return rows == o.rows && cols == o.cols && close(sum, o.sum) &&
         close(sum_squares, o.sum_squares) && close(weighted, o.weighted);
}

std::string Fingerprint::str() const {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%lld x %lld, sum %.17g, sum of squares %.17g, weighted %.17g",
                static_cast<long long>(rows), static_cast<long long>(cols), sum, sum_squares,
                weighted);
  return buf;
}

template <typename T>
Fingerprint fingerprint(const DistMatrix<T>& x) {
  double s[3] = {0, 0, 0};
  auto add = [&](std::int64_t i, std::int64_t j, double v) {
    // By item, not position: the fingerprint must not depend on the layout.
    const auto gi = static_cast<std::uint64_t>(x.row_axis().item(x.row_range().begin + i));
    const auto gj = static_cast<std::uint64_t>(x.col_axis().item(x.col_range().begin + j));
    s[0] += v;
    s[1] += v * v;
    s[2] += v * (1.0 + static_cast<double>((gi * 2654435761u + gj * 40503u) % 4093u) / 4093.0);
  };
  if (x.sparse()) {  // zeros add nothing, so stored entries give the same sums as dense
    const Csr<T>& c = x.csr();
    for (std::int64_t i = 0; i < c.rows; ++i)
      for (std::int64_t e = c.indptr[i]; e < c.indptr[i + 1]; ++e)
        add(i, c.indices[e], static_cast<double>(c.values[e]));
  } else {
    const Matrix<T>& l = x.local();
    for (std::int64_t i = 0; i < l.rows(); ++i)
      for (std::int64_t j = 0; j < l.cols(); ++j) add(i, j, static_cast<double>(l(i, j)));
  }
  x.grid().all().allreduce_sum(s, 3);
  return {x.rows(), x.cols(), s[0], s[1], s[2]};
}

template <typename T>
void write_checkpoint(const std::string& path, const CheckpointInfo& info, const DistFactor<T>& w,
                      const DistFactor<T>& ht) {
  using io::Attribute;
  std::vector<Attribute> a = {
      Attribute::of("dnmf_checkpoint_version", std::int64_t{1}),
      Attribute::of("settings", cli::serialize(info.settings)),
      Attribute::of("input_rows", info.input.rows),
      Attribute::of("input_cols", info.input.cols),
      Attribute::of("input_sum", info.input.sum),
      Attribute::of("input_sum_squares", info.input.sum_squares),
      Attribute::of("input_weighted_sum", info.input.weighted),
      Attribute::of("iteration", info.state.iteration),
      Attribute::of("error_at_init", info.state.error_at_init),
      Attribute::of("previous_error", info.state.previous_error),
      Attribute::of("violation_init", info.state.violation_init),
      Attribute::of("has_rng", std::int64_t{info.state.has_rng}),
      Attribute::of("rng_key", encode_rng(info.state.rng)),
      Attribute::of("rng_pos", static_cast<std::int64_t>(info.state.rng.pos)),
      Attribute::of("rng_has_gauss", std::int64_t{info.state.rng.has_gauss}),
      Attribute::of("rng_gauss", info.state.rng.gauss),
      Attribute::of("init_used", to_string(info.init_used)),
      Attribute::of("seed", static_cast<std::int64_t>(info.seed)),
      Attribute::of("n_components_", w.k()),
      Attribute::of("dtype", std::string(sizeof(T) == 4 ? "float32" : "float64")),
  };
  const mpi::Comm& comm = w.grid().all();
  io::AtomicFileWriter file(comm, path, /*keep_previous=*/true);
  write_w_and_h(file, w, &ht);
  file.write_attributes(a);
  file.commit();
}

CheckpointInfo read_checkpoint(const mpi::Comm& comm, const std::string& path) {
  const std::vector<io::Attribute> attrs = io::read_root_attributes(comm, path);
  CheckpointInfo c;
  c.path = path;
  mpi::agree(comm, [&] {
    auto find = [&](const char* name) -> const io::Attribute& {
      for (const auto& a : attrs)
        if (a.name == name) return a;
      throw InputError("'" + path + "' is not a dnmf checkpoint (no attribute '" + name + "')");
    };
    if (find("dnmf_checkpoint_version").integer != 1) {
      throw InputError("'" + path + "': unsupported checkpoint version");
    }
    c.settings = cli::deserialize(find("settings").text);
    c.input = {find("input_rows").integer, find("input_cols").integer, find("input_sum").real,
               find("input_sum_squares").real, find("input_weighted_sum").real};
    c.state.iteration = find("iteration").integer;
    c.state.error_at_init = find("error_at_init").real;
    c.state.previous_error = find("previous_error").real;
    c.state.violation_init = find("violation_init").real;
    c.state.has_rng = find("has_rng").integer != 0;
    c.state.rng = decode_rng(find("rng_key").text, find("rng_pos").integer,
                             find("rng_has_gauss").integer, find("rng_gauss").real);
    c.init_used = parse_init(find("init_used").text);
    c.seed = static_cast<std::uint32_t>(find("seed").integer);
    c.n_components = find("n_components_").integer;
    c.dtype = find("dtype").text;
  });
  return c;
}

std::string settings_mismatch(const cli::Settings& saved, const cli::Settings& now) {
  static const std::set<std::string> free_keys = {
      "checkpoint", "checkpoint_every", "checkpoint_seconds", "resume", "grid", "verbose"};
  std::set<std::string> keys;
  for (const auto& [k, v] : saved) keys.insert(k);
  for (const auto& [k, v] : now) keys.insert(k);
  for (const std::string& k : keys) {
    if (free_keys.count(k)) continue;
    const std::string a = cli::get(saved, k, "(default)"), b = cli::get(now, k, "(default)");
    if (a != b) return k + " was " + a + " in the checkpointed run but is " + b + " now";
  }
  return {};
}

template Fingerprint fingerprint<double>(const DistMatrix<double>&);
template Fingerprint fingerprint<float>(const DistMatrix<float>&);
template void write_checkpoint<double>(const std::string&, const CheckpointInfo&,
                                       const DistFactor<double>&, const DistFactor<double>&);
template void write_checkpoint<float>(const std::string&, const CheckpointInfo&,
                                      const DistFactor<float>&, const DistFactor<float>&);

}  // namespace dnmf::app
