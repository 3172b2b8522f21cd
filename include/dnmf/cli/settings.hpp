#pragma once
/// @file Run settings as a flat table of scikit-learn parameter names (plus dnmf's own keys) to
/// text values: the command line and the TOML config file meet here (precedence) and travel
/// from rank 0 to the others as this table. It ends at the edge: to_run_config turns it into the
/// typed app::RunConfig that the commands take.

#include <map>
#include <string>
#include <vector>

#include "dnmf/app/config.hpp"
#include "dnmf/nmf/params.hpp"

namespace dnmf::cli {

/// Key -> value text, e.g. {"n_components": "20", "alpha_H": "same"}.
using Settings = std::map<std::string, std::string>;

/// Every key `fit` accepts, in the order help and config docs list them.
const std::vector<std::string>& fit_keys();

/// Reads a TOML config file into settings; keys must be in `fit_keys()` (UsageError naming the
/// file and key otherwise; IoError when the file cannot be read).
Settings read_config_file(const std::string& path);
/// Same, from TOML text; `origin` names the source in messages.
Settings parse_config_text(const std::string& text, const std::string& origin);

/// Throws UsageError (naming `origin`) when a key or value holds a line break: settings travel
/// as one "key=value" line each.
void check_single_line(const Settings& s, const std::string& origin);

/// `high` wins over `low` key by key.
Settings merge(const Settings& low, const Settings& high);

/// One "key=value" line per entry, and back: the broadcast format.
std::string serialize(const Settings& s);
Settings deserialize(const std::string& text);

/// Converts and validates the scikit-learn parameters (UsageError on a bad value).
NmfParams to_params(const Settings& s);

/// Converts and validates every `fit` setting (UsageError on a bad value, parameters first):
/// the parameters, dtype, grid, custom-init paths and the checkpoint plan. Input and output are
/// not settings and stay empty.
app::RunConfig to_run_config(const Settings& s);

/// Refuses (UsageError) an output given as "file.h5:/object": outputs are whole files, whose
/// objects dnmf names itself (`objects` says which, for the message). `flag` names the option.
void check_whole_file(const std::string& flag, const std::string& spec, const std::string& objects);

/// The element type named by a --dtype value (UsageError otherwise).
io::ElementType parse_dtype(const std::string& text);

/// A setting's value, or `fallback` when absent.
std::string get(const Settings& s, const std::string& key, const std::string& fallback = "");

}  // namespace dnmf::cli
