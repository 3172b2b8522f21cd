#include "dnmf/io/checkpoint_file.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "dnmf/core/error.hpp"
#include "dnmf/io/model_file.hpp"

namespace dnmf::io {
namespace {

constexpr std::int64_t kVersion = 2;

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

/// The shortest text that reads back as `v`.
std::string real_text(double v) {
  char buf[64];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

}  // namespace

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

std::vector<Attribute> checkpoint_attributes(const CheckpointInfo& c) {
  std::vector<Attribute> a = {
      Attribute::of("dnmf_checkpoint_version", kVersion),
      Attribute::of("input_rows", c.input.rows),
      Attribute::of("input_cols", c.input.cols),
      Attribute::of("input_sum", c.input.sum),
      Attribute::of("input_sum_squares", c.input.sum_squares),
      Attribute::of("input_weighted_sum", c.input.weighted),
      Attribute::of("iteration", c.state.iteration),
      Attribute::of("error_at_init", c.state.error_at_init),
      Attribute::of("previous_error", c.state.previous_error),
      Attribute::of("violation_init", c.state.violation_init),
      Attribute::of("has_rng", std::int64_t{c.state.has_rng}),
      Attribute::of("rng_key", encode_rng(c.state.rng)),
      Attribute::of("rng_pos", static_cast<std::int64_t>(c.state.rng.pos)),
      Attribute::of("rng_has_gauss", std::int64_t{c.state.rng.has_gauss}),
      Attribute::of("rng_gauss", c.state.rng.gauss),
      Attribute::of("init_used", to_string(c.init_used)),
      Attribute::of("seed", static_cast<std::int64_t>(c.seed)),
      Attribute::of("n_components_", c.n_components),
      Attribute::of("dtype", to_string(c.dtype)),
  };
  for (Attribute& p : param_attributes(c.run.params)) a.push_back(std::move(p));
  if (!c.run.init_W.empty()) a.push_back(Attribute::of("init_W", c.run.init_W));
  if (!c.run.init_H.empty()) a.push_back(Attribute::of("init_H", c.run.init_H));
  if (c.run.dtype) a.push_back(Attribute::of("dtype_option", to_string(*c.run.dtype)));
  return a;
}

CheckpointInfo checkpoint_info(const std::vector<Attribute>& attrs, const std::string& file) {
  auto find = [&](const char* name) -> const Attribute& {
    if (const Attribute* a = find_attribute(attrs, name)) return *a;
    throw InputError("'" + file + "' is not a dnmf checkpoint (no attribute '" + name + "')");
  };
  auto text = [&](const char* name) -> std::string {
    const Attribute* a = find_attribute(attrs, name);
    return a && a->kind == Attribute::Kind::text ? a->text : std::string();
  };
  auto element_type = [&](const std::string& t) {
    if (t == "float32") return ElementType::float32;
    if (t == "float64") return ElementType::float64;
    throw InputError("'" + file + "': unknown dtype '" + t + "'");
  };
  const std::int64_t version = find("dnmf_checkpoint_version").integer;
  if (version == 1) {
    throw InputError("'" + file +
                     "' is a checkpoint of an older dnmf (version 1); it cannot be resumed by "
                     "this one: start the fit afresh");
  }
  if (version != kVersion) throw InputError("'" + file + "': unsupported checkpoint version");
  CheckpointInfo c;
  c.run.params = params_from_attributes(attrs, file);
  c.run.init_W = text("init_W");
  c.run.init_H = text("init_H");
  if (!text("dtype_option").empty()) c.run.dtype = element_type(text("dtype_option"));
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
  c.dtype = element_type(find("dtype").text);
  return c;
}

std::string run_mismatch(const RunIdentity& saved, const RunIdentity& now) {
  const NmfParams &a = saved.params, &b = now.params;
  auto n_components = [](const NmfParams& p) {
    return p.n_components ? std::to_string(*p.n_components)
                          : std::string(p.n_components_none ? "None" : "auto");
  };
  auto seed = [](const NmfParams& p) {
    return p.random_state ? std::to_string(*p.random_state) : std::string("None");
  };
  auto alpha_h = [](const NmfParams& p) {
    return p.alpha_H ? real_text(*p.alpha_H) : std::string("same");
  };
  auto dtype = [](const RunIdentity& r) {
    return r.dtype ? to_string(*r.dtype) : std::string("(the input's)");
  };
  auto text_or_none = [](const std::string& s) { return s.empty() ? std::string("(none)") : s; };
  // Every field that shapes the iterates, in fit_keys() order; beta_loss by its value, so
  // "frobenius" and 2 are the same loss.
  const std::pair<const char*, std::pair<std::string, std::string>> fields[] = {
      {"n_components", {n_components(a), n_components(b)}},
      {"init", {to_string(a.init), to_string(b.init)}},
      {"init_W", {text_or_none(saved.init_W), text_or_none(now.init_W)}},
      {"init_H", {text_or_none(saved.init_H), text_or_none(now.init_H)}},
      {"solver", {to_string(a.solver), to_string(b.solver)}},
      {"beta_loss", {a.beta() == b.beta() ? b.beta_loss : a.beta_loss, b.beta_loss}},
      {"tol", {real_text(a.tol), real_text(b.tol)}},
      {"max_iter", {std::to_string(a.max_iter), std::to_string(b.max_iter)}},
      {"random_state", {seed(a), seed(b)}},
      {"alpha_W", {real_text(a.alpha_W), real_text(b.alpha_W)}},
      {"alpha_H", {alpha_h(a), alpha_h(b)}},
      {"l1_ratio", {real_text(a.l1_ratio), real_text(b.l1_ratio)}},
      {"shuffle", {a.shuffle ? "true" : "false", b.shuffle ? "true" : "false"}},
      {"dtype", {dtype(saved), dtype(now)}},
  };
  for (const auto& [name, values] : fields) {
    if (values.first != values.second) {
      return std::string(name) + " was " + values.first + " in the checkpointed run but is " +
             values.second + " now";
    }
  }
  return {};
}

}  // namespace dnmf::io
