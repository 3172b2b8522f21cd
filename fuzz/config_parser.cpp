// Fuzz target: the run-settings parser (dnmf::cli::parse_config_text + to_params / to_run_config),
// along the path a config file takes in the driver: TOML text -> Settings -> the "key=value"
// broadcast format (serialize/deserialize) -> NmfParams and the typed app::RunConfig.
//
// Properties: any text gives Settings or a UsageError (never another error, exception, crash,
// hang or sanitizer report); settings survive the broadcast format unchanged; accepted
// parameters are valid and keep the integers they were given.

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "dnmf/cli/settings.hpp"
#include "fuzz_support.hpp"

namespace {

using dnmf::ExitCode;
using dnmf::cli::Settings;
namespace fz = dnmf::fuzz;

/// to_params on settings from anywhere: NmfParams or UsageError; on success the values are
/// valid and integers are kept exactly.
void check_params(const Settings& s, const char* origin) {
  dnmf::NmfParams p;
  try {
    p = dnmf::cli::to_params(s);
  } catch (const dnmf::Error& e) {
    fz::expect_code(e, {ExitCode::usage}, std::string("to_params(") + origin + ")");
    return;
  }
  try {
    p.validate();
    (void)p.beta();
    (void)dnmf::scaled_penalties(p, 7, 5);
  } catch (const dnmf::Error& e) {
    fz::fail(std::string("to_params(") + origin +
             ") accepted parameters that validate() rejects: " + e.what());
  }
  // An integer setting must arrive as that integer, not wrapped or truncated.
  // Regression "embedded-nul": a value with an embedded NUL (TOML "5\u0000junk") must be refused,
  // not read as its prefix.
  const auto exact = [&](const char* key, std::int64_t got) {
    const std::string text = dnmf::cli::get(s, key);
    if (text.empty() || text == "true" || text == "false") return;
    const bool nul = text.find('\0') != std::string::npos;
    fz::expect(!nul, std::string(origin) + ": " + key + " with an embedded NUL was accepted");
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    fz::expect(v == got, std::string(origin) + ": " + key + " = '" + text + "' became " +
                             std::to_string(got));
  };
  // The whole typed configuration (dtype, grid, checkpoint plan too): RunConfig or UsageError.
  try {
    (void)dnmf::cli::to_run_config(s);
  } catch (const dnmf::Error& e) {
    fz::expect_code(e, {ExitCode::usage}, std::string("to_run_config(") + origin + ")");
  }
  exact("max_iter", p.max_iter);
  exact("verbose", p.verbose);  // regression "verbose-wraps": no silent narrowing
  if (p.n_components) exact("n_components", *p.n_components);
  if (p.random_state) exact("random_state", *p.random_state);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  // 1. The TOML config file, as `--config FILE` reads it.
  Settings s;
  bool parsed = true;
  try {
    s = dnmf::cli::parse_config_text(text, "fuzz.toml");
  } catch (const dnmf::Error& e) {
    fz::expect_code(e, {ExitCode::usage}, "parse_config_text");
    parsed = false;
  }
  if (parsed) {
    const auto& keys = dnmf::cli::fit_keys();
    for (const auto& [key, value] : s) {
      fz::expect(std::find(keys.begin(), keys.end(), key) != keys.end(),
                 "parse_config_text accepted unknown key '" + key + "'");
    }
    // Rank 0 parses; every rank (rank 0 included) then uses what the broadcast format carried.
    // Regression "settings-newline": a value with a line break must be refused, never split.
    const Settings carried = dnmf::cli::deserialize(dnmf::cli::serialize(s));
    if (carried != s) {
      std::string diff;
      for (const auto& [key, value] : carried) {
        if (dnmf::cli::get(s, key, "\x01") != value) diff += " " + key + "='" + value + "'";
      }
      fz::fail(
          "settings change through serialize/deserialize (the broadcast "
          "format); after it:" +
          diff);
    }
    check_params(s, "config file");
  }

  // 2. The broadcast format itself ("key=value" lines), as another rank would receive it.
  check_params(dnmf::cli::deserialize(text), "key=value text");
  return 0;
}
