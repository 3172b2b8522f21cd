#include <gtest/gtest.h>

#include "dnmf/cli/settings.hpp"
#include "dnmf/core/error.hpp"

namespace dnmf::cli {
namespace {

TEST(Settings, ConfigTextUsesSklearnNames) {
  const Settings s = parse_config_text(
      "n_components = 20\nsolver = \"mu\"\ntol = 0.0\nalpha_W = 0.5\nshuffle = true\n", "cfg");
  EXPECT_EQ(get(s, "n_components"), "20");
  EXPECT_EQ(get(s, "solver"), "mu");
  EXPECT_EQ(get(s, "shuffle"), "true");
  const NmfParams p = to_params(s);
  EXPECT_EQ(p.n_components.value(), 20);
  EXPECT_EQ(p.solver, Solver::mu);
  EXPECT_EQ(p.tol, 0.0);
  EXPECT_EQ(p.alpha_W, 0.5);
  EXPECT_TRUE(p.shuffle);
}

TEST(Settings, UnknownKeyIsAnError) {
  EXPECT_THROW(parse_config_text("n_componets = 3\n", "cfg"), UsageError);
}

TEST(Settings, InvalidTomlIsAnError) {
  EXPECT_THROW(parse_config_text("n_components = = 3\n", "cfg"), UsageError);
}

TEST(Settings, CommandLineOverridesConfig) {
  const Settings merged = merge({{"tol", "0.1"}, {"max_iter", "5"}}, {{"tol", "0.2"}});
  EXPECT_EQ(get(merged, "tol"), "0.2");
  EXPECT_EQ(get(merged, "max_iter"), "5");
}

TEST(Settings, SerializeRoundTrips) {
  const Settings s = {{"alpha_H", "same"}, {"init_W", "a.h5:/W0"}, {"tol", "1e-05"}};
  EXPECT_EQ(deserialize(serialize(s)), s);
}

TEST(Params, DefaultsAreSklearns) {
  const NmfParams p = to_params({});
  EXPECT_FALSE(p.n_components.has_value());
  EXPECT_EQ(p.init, Init::automatic);
  EXPECT_EQ(p.solver, Solver::cd);
  EXPECT_EQ(p.beta(), 2.0);
  EXPECT_EQ(p.tol, 1e-4);
  EXPECT_EQ(p.max_iter, 200);
  EXPECT_FALSE(p.random_state.has_value());
  EXPECT_EQ(p.alpha_W, 0.0);
  EXPECT_FALSE(p.alpha_H.has_value());
  EXPECT_EQ(p.l1_ratio, 0.0);
  EXPECT_FALSE(p.shuffle);
}

TEST(Params, RangeChecksNameTheParameter) {
  auto message = [](const Settings& s) {
    try {
      to_params(s);
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({{"max_iter", "0"}}).find("max_iter"), std::string::npos);
  EXPECT_NE(message({{"tol", "-1"}}).find("tol"), std::string::npos);
  EXPECT_NE(message({{"l1_ratio", "1.5"}}).find("l1_ratio"), std::string::npos);
  EXPECT_NE(message({{"alpha_W", "-0.1"}}).find("alpha_W"), std::string::npos);
  EXPECT_NE(message({{"n_components", "0"}}).find("n_components"), std::string::npos);
  EXPECT_NE(message({{"random_state", "-3"}}).find("random_state"), std::string::npos);
  EXPECT_NE(message({{"init", "svd"}}).find("init"), std::string::npos);
  EXPECT_NE(message({{"beta_loss", "kl"}}).find("beta_loss"), std::string::npos);
}

TEST(Params, SolverBetaMismatchIsRejected) {
  // cd handles only the Frobenius loss; 2.0 as a number is the same loss and is accepted.
  EXPECT_THROW(to_params({{"beta_loss", "kullback-leibler"}}), UsageError);
  EXPECT_THROW(to_params({{"beta_loss", "1.5"}}), UsageError);
  EXPECT_NO_THROW(to_params({{"beta_loss", "2.0"}}));
  EXPECT_NO_THROW(to_params({{"beta_loss", "itakura-saito"}, {"solver", "mu"}}));
}

TEST(Params, PenaltiesScaleLikeSklearn) {
  NmfParams p;
  p.alpha_W = 0.5;
  p.l1_ratio = 0.25;
  const Penalties a = scaled_penalties(p, 6, 2);  // same alpha for H
  EXPECT_DOUBLE_EQ(a.l1_W, 2 * 0.5 * 0.25);
  EXPECT_DOUBLE_EQ(a.l2_W, 2 * 0.5 * 0.75);
  EXPECT_DOUBLE_EQ(a.l1_H, 6 * 0.5 * 0.25);
  EXPECT_DOUBLE_EQ(a.l2_H, 6 * 0.5 * 0.75);
  p.alpha_H = 0.0;
  const Penalties b = scaled_penalties(p, 6, 2);
  EXPECT_EQ(b.l1_H, 0.0);
  EXPECT_EQ(b.l2_H, 0.0);
}

TEST(RunConfig, EveryFitSettingIsTyped) {
  const app::RunConfig c = to_run_config({{"n_components", "4"},
                                          {"dtype", "float32"},
                                          {"grid", "2x3"},
                                          {"init", "custom"},
                                          {"init_W", "w.h5:/W0"},
                                          {"init_H", "h.h5"},
                                          {"checkpoint", "c.h5"},
                                          {"checkpoint_every", "5"},
                                          {"checkpoint_seconds", "1.5"},
                                          {"resume", "c.h5"}});
  EXPECT_EQ(c.params.n_components.value(), 4);
  EXPECT_EQ(c.dtype.value(), io::ElementType::float32);
  EXPECT_EQ(c.grid.value().pr, 2);
  EXPECT_EQ(c.grid.value().pc, 3);
  EXPECT_EQ(c.init_W, "w.h5:/W0");
  EXPECT_EQ(c.init_H, "h.h5");
  EXPECT_EQ(c.checkpoint.path, "c.h5");
  EXPECT_EQ(c.checkpoint.every, 5);
  EXPECT_EQ(c.checkpoint.seconds, 1.5);
  EXPECT_EQ(c.checkpoint.resume, "c.h5");
  const app::RunConfig d = to_run_config({});
  EXPECT_FALSE(d.dtype.has_value());
  EXPECT_FALSE(d.grid.has_value());
  EXPECT_TRUE(d.checkpoint.path.empty());
}

TEST(RunConfig, BadValuesAreUsageErrors) {
  EXPECT_THROW(to_run_config({{"dtype", "float16"}}), UsageError);
  EXPECT_THROW(to_run_config({{"grid", "2by2"}}), UsageError);
  EXPECT_THROW(to_run_config({{"checkpoint_every", "x"}}), UsageError);
  EXPECT_THROW(to_run_config({{"checkpoint_every", "-1"}, {"checkpoint", "c.h5"}}), UsageError);
  EXPECT_THROW(to_run_config({{"checkpoint_every", "3"}}), UsageError);  // no --checkpoint
}

TEST(RunConfig, CheckpointEveryZeroIsRefusedButAbsentIsFine) {
  EXPECT_THROW(to_run_config({{"checkpoint_every", "0"}, {"checkpoint", "c.h5"}}), UsageError);
  EXPECT_EQ(to_run_config({{"checkpoint", "c.h5"}}).checkpoint.every, 0);
}

TEST(RunConfig, OutputsAreWholeFiles) {
  EXPECT_THROW(to_run_config({{"checkpoint", "c.h5:/state"}}), UsageError);
  EXPECT_THROW(check_whole_file("--output", "out.h5:/model", "objects"), UsageError);
  EXPECT_NO_THROW(check_whole_file("--output", "out.h5", "objects"));
  EXPECT_NO_THROW(check_whole_file("--output", "dir/out.h5", "objects"));
  try {
    check_whole_file("--output", "out.h5:/model", "the model's objects are /W, /H");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--output names a whole file; use --output out.h5 "
                                         "(the model's objects are /W, /H)"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace dnmf::cli
