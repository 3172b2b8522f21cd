#pragma once
/// @file The model file's schema: typed values <-> the root attributes of MODEL.h5 (the factors
/// /W, /H and the name lists are written by the commands).
///
/// Every scikit-learn parameter is stored under its sklearn name with its real type, so that
/// `sklearn.decomposition.NMF(**{name: f.attrs[name] for name in NMF().get_params()
/// if name in f.attrs})` accepts the file's values:
///   n_components, max_iter, random_state, verbose: int64; tol, alpha_W, l1_ratio: float64;
///   init, solver: text; beta_loss: text for a named loss, float64 for a number;
///   alpha_H: float64, or the text 'same'; shuffle: int64 0/1 (HDF5 has no boolean type).
/// A value that sklearn spells None is an absent attribute: random_state=None, init=None, and
/// n_components when it is 'auto' or None (dnmf_n_components then says which).
/// Files written before this schema held the text "None" / "auto" instead; both are read.

#include <cstdint>
#include <string>
#include <vector>

#include "dnmf/core/grid_shape.hpp"
#include "dnmf/io/hdf5.hpp"
#include "dnmf/nmf/params.hpp"

namespace dnmf::io {

/// The parameters as attributes (the schema above); shared by model and checkpoint files.
std::vector<Attribute> param_attributes(const NmfParams& p);
/// Back from attributes (either generation); InputError naming `file` and the attribute for a
/// value of the wrong kind, UsageError (as from the command line) for an invalid value.
NmfParams params_from_attributes(const std::vector<Attribute>& attrs, const std::string& file);

/// The fitted model's facts, besides the factors.
struct ModelFacts {
  NmfParams params;
  std::int64_t n_components = 0;             ///< n_components_
  std::int64_t n_features = 0;               ///< n_features_in_
  std::int64_t n_iter = 0;                   ///< n_iter_
  double reconstruction_err = 0;             ///< reconstruction_err_
  Init init_used = Init::random;             ///< dnmf_init_used
  GridShape grid;                            ///< dnmf_grid
  ElementType dtype = ElementType::float64;  ///< dnmf_dtype
  double fit_seconds = 0;                    ///< dnmf_fit_seconds
  std::int64_t seed = 0;                     ///< dnmf_seed: random_state, or the seed drawn
};

/// Root attributes of a model file: fitted attributes, parameters, and dnmf_* facts of the run.
std::vector<Attribute> model_attributes(const ModelFacts& m);

/// A model file's root attributes (io::read_root_attributes) back into what transform and
/// inverse-transform need: params, n_components and n_features; InputError when `file` is not a
/// dnmf model. The run facts (dnmf_*) are informative and not read back.
ModelFacts model_facts(const std::vector<Attribute>& attrs, const std::string& file);

/// The attribute called `name`, or nullptr.
const Attribute* find_attribute(const std::vector<Attribute>& attrs, const std::string& name);

}  // namespace dnmf::io
