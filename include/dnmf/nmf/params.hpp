#pragma once
/// @file The estimator's parameters, with scikit-learn's names, defaults and validation rules
/// (spec/sklearn-nmf.md §1, §2).

#include <cstdint>
#include <optional>
#include <string>

namespace dnmf {

enum class Solver { cd, mu, anls_bpp };
enum class Init { automatic, random, nndsvd, nndsvda, nndsvdar, custom };

std::string to_string(Solver s);
std::string to_string(Init i);  ///< "None" for Init::automatic, as sklearn spells the default
Solver parse_solver(const std::string& text);  ///< throws UsageError
Init parse_init(const std::string& text);      ///< throws UsageError ("None" -> automatic)

/// The numeric beta of a `beta_loss` value: "frobenius" = 2, "kullback-leibler" = 1,
/// "itakura-saito" = 0, or a real number. Throws UsageError otherwise.
double parse_beta_loss(const std::string& text);

/// scikit-learn's NMF parameters (1.6 defaults).
struct NmfParams {
  std::optional<std::int64_t> n_components;  ///< nullopt: 'auto' (or None, see below)
  bool n_components_none = false;            ///< sklearn's None: k = n_features always
  Init init = Init::automatic;
  Solver solver = Solver::cd;
  std::string beta_loss = "frobenius";  ///< as given by the user; beta() is its value
  double tol = 1e-4;
  std::int64_t max_iter = 200;
  std::optional<std::uint32_t> random_state;
  double alpha_W = 0.0;
  std::optional<double> alpha_H;  ///< nullopt: 'same'
  double l1_ratio = 0.0;
  int verbose = 0;
  bool shuffle = false;

  double beta() const { return parse_beta_loss(beta_loss); }

  /// Declarative range checks of §1 (no data needed); throws UsageError naming the parameter.
  void validate() const;
};

/// The penalty coefficients after scikit-learn's scaling by the data shape (§2):
/// W's by n_features, H's by n_samples.
struct Penalties {
  double l1_W = 0, l2_W = 0, l1_H = 0, l2_H = 0;
};
Penalties scaled_penalties(const NmfParams& p, std::int64_t n_samples, std::int64_t n_features);

/// float32 machine epsilon: scikit-learn's EPSILON for every dtype.
constexpr double kEps = 1.1920928955078125e-07;

}  // namespace dnmf
