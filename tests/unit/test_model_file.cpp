#include <gtest/gtest.h>

#include "dnmf/core/error.hpp"
#include "dnmf/io/checkpoint_file.hpp"
#include "dnmf/io/model_file.hpp"

namespace dnmf::io {
namespace {

TEST(ModelFile, ParametersRoundTripWithTheirTypes) {
  NmfParams p;
  p.n_components = 7;
  p.init = Init::nndsvda;
  p.solver = Solver::mu;
  p.beta_loss = "1.5";
  p.tol = 1e-6;
  p.max_iter = 33;
  p.random_state = 4294967295u;
  p.alpha_W = 0.25;
  p.alpha_H = 0.5;
  p.l1_ratio = 0.75;
  p.verbose = 2;
  p.shuffle = true;
  const std::vector<Attribute> a = param_attributes(p);
  EXPECT_EQ(find_attribute(a, "beta_loss")->kind, Attribute::Kind::real);
  EXPECT_EQ(find_attribute(a, "random_state")->kind, Attribute::Kind::integer);
  const NmfParams q = params_from_attributes(a, "m.h5");
  EXPECT_EQ(q.n_components.value(), 7);
  EXPECT_EQ(q.init, Init::nndsvda);
  EXPECT_EQ(q.solver, Solver::mu);
  EXPECT_EQ(q.beta(), 1.5);
  EXPECT_EQ(q.tol, 1e-6);
  EXPECT_EQ(q.max_iter, 33);
  EXPECT_EQ(q.random_state.value(), 4294967295u);
  EXPECT_EQ(q.alpha_W, 0.25);
  EXPECT_EQ(q.alpha_H.value(), 0.5);
  EXPECT_EQ(q.l1_ratio, 0.75);
  EXPECT_EQ(q.verbose, 2);
  EXPECT_TRUE(q.shuffle);
}

TEST(ModelFile, NoneIsAnAbsentAttribute) {
  NmfParams p;
  p.n_components_none = true;
  const std::vector<Attribute> a = param_attributes(p);
  EXPECT_EQ(find_attribute(a, "random_state"), nullptr);
  EXPECT_EQ(find_attribute(a, "init"), nullptr);
  EXPECT_EQ(find_attribute(a, "n_components"), nullptr);
  EXPECT_EQ(find_attribute(a, "alpha_H")->text, "same");
  const NmfParams q = params_from_attributes(a, "m.h5");
  EXPECT_TRUE(q.n_components_none);
  EXPECT_FALSE(q.random_state.has_value());
  EXPECT_EQ(q.init, Init::automatic);
  EXPECT_FALSE(q.alpha_H.has_value());
}

TEST(ModelFile, ReadsTheOlderTextualForms) {
  const std::vector<Attribute> old = {
      Attribute::of("n_components", std::string("auto")),
      Attribute::of("random_state", std::string("None")),
      Attribute::of("init", std::string("None")),
      Attribute::of("alpha_H", std::string("same")),
      Attribute::of("solver", std::string("cd")),
      Attribute::of("shuffle", std::int64_t{0}),
      Attribute::of("n_components_", std::int64_t{3}),
      Attribute::of("n_features_in_", std::int64_t{5}),
  };
  const ModelFacts m = model_facts(old, "old.h5");
  EXPECT_EQ(m.n_components, 3);
  EXPECT_EQ(m.n_features, 5);
  EXPECT_FALSE(m.params.n_components.has_value());
  EXPECT_FALSE(m.params.n_components_none);
  EXPECT_FALSE(m.params.random_state.has_value());
  EXPECT_EQ(m.params.init, Init::automatic);
}

TEST(ModelFile, WrongKindNamesTheAttribute) {
  try {
    params_from_attributes({Attribute::of("tol", std::string("small"))}, "m.h5");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("tol"), std::string::npos);
  }
  EXPECT_THROW(model_facts({}, "m.h5"), InputError);
}

TEST(CheckpointFile, RoundTripsAndComparesTypedValues) {
  CheckpointInfo c;
  c.run.params.tol = 0;
  c.run.params.random_state = 3;
  c.run.dtype = ElementType::float32;
  c.input = {4, 5, 1.5, 2.5, 3.5};
  c.state.iteration = 17;
  c.state.has_rng = true;
  c.state.rng.key[3] = 0xdeadbeefu;
  c.state.rng.pos = 12;
  c.init_used = Init::nndsvd;
  c.seed = 99;
  c.n_components = 6;
  c.dtype = ElementType::float32;
  const CheckpointInfo d = checkpoint_info(checkpoint_attributes(c), "c.h5");
  EXPECT_EQ(d.state.iteration, 17);
  EXPECT_EQ(d.state.rng.key[3], 0xdeadbeefu);
  EXPECT_EQ(d.state.rng.pos, 12u);
  EXPECT_EQ(d.init_used, Init::nndsvd);
  EXPECT_EQ(d.seed, 99u);
  EXPECT_EQ(d.dtype, ElementType::float32);
  EXPECT_TRUE(d.input.matches(c.input));
  EXPECT_EQ(run_mismatch(d.run, c.run), "");

  RunIdentity now = c.run;
  now.params.verbose = 2;  // free to change
  EXPECT_EQ(run_mismatch(c.run, now), "");
  now.params.tol = 1e-3;
  EXPECT_EQ(run_mismatch(c.run, now), "tol was 0 in the checkpointed run but is 0.001 now");
  now = c.run;
  now.params.beta_loss = "2";  // frobenius by its value
  EXPECT_EQ(run_mismatch(c.run, now), "");
}

TEST(CheckpointFile, OlderVersionIsRefusedClearly) {
  try {
    checkpoint_info({Attribute::of("dnmf_checkpoint_version", std::int64_t{1})}, "c.h5");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("older dnmf"), std::string::npos);
  }
}

}  // namespace
}  // namespace dnmf::io
