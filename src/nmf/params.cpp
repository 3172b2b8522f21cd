#include "dnmf/nmf/params.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "dnmf/core/error.hpp"

namespace dnmf {

std::string to_string(Solver s) {
  switch (s) {
    case Solver::cd:
      return "cd";
    case Solver::mu:
      return "mu";
    case Solver::anls_bpp:
      return "anls-bpp";
  }
  return "?";
}

std::string to_string(Init i) {
  switch (i) {
    case Init::automatic:
      return "None";
    case Init::random:
      return "random";
    case Init::nndsvd:
      return "nndsvd";
    case Init::nndsvda:
      return "nndsvda";
    case Init::nndsvdar:
      return "nndsvdar";
    case Init::custom:
      return "custom";
  }
  return "?";
}

Solver parse_solver(const std::string& text) {
  if (text == "cd") return Solver::cd;
  if (text == "mu") return Solver::mu;
  if (text == "anls-bpp") return Solver::anls_bpp;
  throw UsageError("solver: expected 'cd', 'mu' or 'anls-bpp', got '" + text + "'");
}

Init parse_init(const std::string& text) {
  for (Init i :
       {Init::automatic, Init::random, Init::nndsvd, Init::nndsvda, Init::nndsvdar, Init::custom}) {
    if (text == to_string(i)) return i;
  }
  throw UsageError("init: expected one of random, nndsvd, nndsvda, nndsvdar, custom, got '" + text +
                   "'");
}

double parse_beta_loss(const std::string& text) {
  if (text == "frobenius") return 2.0;
  if (text == "kullback-leibler") return 1.0;
  if (text == "itakura-saito") return 0.0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v)) {
    throw UsageError(
        "beta_loss: expected 'frobenius', 'kullback-leibler', 'itakura-saito' or a real number, "
        "got '" +
        text + "'");
  }
  return v;
}

namespace {
void require(bool ok, const std::string& message) {
  if (!ok) throw UsageError(message);
}
/// A double as Python's repr prints it: the shortest text that reads back, with ".0" when whole.
std::string python_float(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  std::string t(buf, r.ptr);
  if (t.find_first_of(".eEn") == std::string::npos) t += ".0";
  return t;
}

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}
}  // namespace

void NmfParams::validate() const {
  require(!n_components || *n_components >= 1,
          "n_components: must be an int >= 1 or 'auto', got " +
              (n_components ? std::to_string(*n_components) : std::string()));
  require(std::isfinite(tol) && tol >= 0, "tol: must be a real >= 0, got " + num(tol));
  require(max_iter >= 1, "max_iter: must be an int >= 1, got " + std::to_string(max_iter));
  require(std::isfinite(alpha_W) && alpha_W >= 0,
          "alpha_W: must be a real >= 0, got " + num(alpha_W));
  require(!alpha_H || (std::isfinite(*alpha_H) && *alpha_H >= 0),
          "alpha_H: must be a real >= 0 or 'same', got " + num(alpha_H.value_or(0)));
  require(std::isfinite(l1_ratio) && l1_ratio >= 0 && l1_ratio <= 1,
          "l1_ratio: must be a real in [0, 1], got " + num(l1_ratio));
  require(verbose >= 0, "verbose: must be >= 0");
  const double b = beta();  // throws on a malformed value
  if (solver != Solver::mu && b != 2.0) {
    // scikit-learn's words, with the value as Python would print it: a name in quotes, a number
    // as a float (its beta_loss=1 and 1.0 both reach this check as 1.0 from our command line).
    const bool named = beta_loss == "kullback-leibler" || beta_loss == "itakura-saito";
    throw UsageError("Invalid beta_loss parameter: solver '" + to_string(solver) +
                     "' does not handle beta_loss = " +
                     (named ? "'" + beta_loss + "'" : python_float(b)) + " (use --solver mu)");
  }
}

Penalties scaled_penalties(const NmfParams& p, std::int64_t n_samples, std::int64_t n_features) {
  const double a_h = p.alpha_H.value_or(p.alpha_W);
  const double nf = static_cast<double>(n_features), ns = static_cast<double>(n_samples);
  // Same multiplication order as scikit-learn, so the coefficients agree to the bit.
  return {nf * p.alpha_W * p.l1_ratio, nf * p.alpha_W * (1.0 - p.l1_ratio), ns * a_h * p.l1_ratio,
          ns * a_h * (1.0 - p.l1_ratio)};
}

}  // namespace dnmf
