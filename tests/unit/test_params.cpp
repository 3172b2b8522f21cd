// Parameter validation of nmf/params: scikit-learn's messages where it has one.
#include "dnmf/nmf/params.hpp"

#include <gtest/gtest.h>

#include "dnmf/core/error.hpp"

namespace dnmf {
namespace {

std::string usage_error(const NmfParams& p) {
  try {
    p.validate();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(Params, SolverBetaMismatchInScikitLearnsWords) {
  NmfParams p;
  p.solver = Solver::cd;
  for (const auto& [given, shown] : {std::pair<std::string, std::string>{"1", "1.0"},
                                     {"1.0", "1.0"},
                                     {"0.5", "0.5"},
                                     {"kullback-leibler", "'kullback-leibler'"},
                                     {"itakura-saito", "'itakura-saito'"}}) {
    p.beta_loss = given;
    const std::string what = usage_error(p);
    EXPECT_EQ(
        what.rfind("Invalid beta_loss parameter: solver 'cd' does not handle beta_loss = " + shown,
                   0),
        0u)
        << given << ": " << what;
  }
  p.beta_loss = "frobenius";
  EXPECT_EQ(usage_error(p), "");
  p.beta_loss = "2";
  EXPECT_EQ(usage_error(p), "");
  p.solver = Solver::mu;
  p.beta_loss = "kullback-leibler";
  EXPECT_EQ(usage_error(p), "");
}

}  // namespace
}  // namespace dnmf
