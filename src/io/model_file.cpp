#include "dnmf/io/model_file.hpp"

#include <cstdio>
#include <cstdlib>

#include "dnmf/core/error.hpp"

namespace dnmf::io {

const Attribute* find_attribute(const std::vector<Attribute>& attrs, const std::string& name) {
  for (const Attribute& a : attrs)
    if (a.name == name) return &a;
  return nullptr;
}

std::vector<Attribute> param_attributes(const NmfParams& p) {
  std::vector<Attribute> a;
  // sklearn's None (and 'auto', which sklearn 1.2 does not know) is an absent attribute.
  if (p.n_components) {
    a.push_back(Attribute::of("n_components", *p.n_components));
  } else {
    a.push_back(
        Attribute::of("dnmf_n_components", std::string(p.n_components_none ? "None" : "auto")));
  }
  if (p.init != Init::automatic) a.push_back(Attribute::of("init", to_string(p.init)));
  a.push_back(Attribute::of("solver", to_string(p.solver)));
  const double beta = p.beta();
  const bool named = p.beta_loss == "frobenius" || p.beta_loss == "kullback-leibler" ||
                     p.beta_loss == "itakura-saito";
  a.push_back(named ? Attribute::of("beta_loss", p.beta_loss) : Attribute::of("beta_loss", beta));
  a.push_back(Attribute::of("tol", p.tol));
  a.push_back(Attribute::of("max_iter", p.max_iter));
  if (p.random_state) {
    a.push_back(Attribute::of("random_state", static_cast<std::int64_t>(*p.random_state)));
  }
  a.push_back(Attribute::of("alpha_W", p.alpha_W));
  a.push_back(p.alpha_H ? Attribute::of("alpha_H", *p.alpha_H)
                        : Attribute::of("alpha_H", std::string("same")));
  a.push_back(Attribute::of("l1_ratio", p.l1_ratio));
  a.push_back(Attribute::of("verbose", static_cast<std::int64_t>(p.verbose)));
  a.push_back(Attribute::of("shuffle", static_cast<std::int64_t>(p.shuffle)));
  return a;
}

namespace {

/// Typed reads of one attribute; `file` and the name go into the message of a wrong kind.
struct Reader {
  const std::vector<Attribute>& attrs;
  const std::string& file;

  const Attribute* find(const char* name) const { return find_attribute(attrs, name); }
  [[noreturn]] void wrong(const Attribute& a, const char* want) const {
    throw InputError("'" + file + "': attribute " + a.name + " should be " + want);
  }
  double real(const Attribute& a) const {
    if (a.kind == Attribute::Kind::real) return a.real;
    if (a.kind == Attribute::Kind::integer) return static_cast<double>(a.integer);
    wrong(a, "a number");
  }
  std::int64_t integer(const Attribute& a) const {
    if (a.kind != Attribute::Kind::integer) wrong(a, "an integer");
    return a.integer;
  }
  const std::string& text(const Attribute& a) const {
    if (a.kind != Attribute::Kind::text) wrong(a, "text");
    return a.text;
  }
};

std::string real_text(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

NmfParams params_from_attributes(const std::vector<Attribute>& attrs, const std::string& file) {
  const Reader r{attrs, file};
  NmfParams p;
  if (const Attribute* a = r.find("n_components")) {
    if (a->kind == Attribute::Kind::text) {  // files before the typed schema
      if (a->text == "None") {
        p.n_components_none = true;
      } else if (a->text != "auto") {
        r.wrong(*a, "an integer");
      }
    } else {
      p.n_components = r.integer(*a);
    }
  } else if (const Attribute* rule = r.find("dnmf_n_components")) {
    p.n_components_none = r.text(*rule) == "None";
  }
  if (const Attribute* a = r.find("init")) p.init = parse_init(r.text(*a));
  if (const Attribute* a = r.find("solver")) p.solver = parse_solver(r.text(*a));
  if (const Attribute* a = r.find("beta_loss")) {
    p.beta_loss = a->kind == Attribute::Kind::text ? a->text : real_text(r.real(*a));
  }
  if (const Attribute* a = r.find("tol")) p.tol = r.real(*a);
  if (const Attribute* a = r.find("max_iter")) p.max_iter = r.integer(*a);
  if (const Attribute* a = r.find("random_state")) {
    if (a->kind != Attribute::Kind::text || a->text != "None") {  // older files: "None"
      const std::int64_t v = r.integer(*a);
      if (v < 0 || v > 4294967295LL) r.wrong(*a, "an integer in [0, 2**32 - 1]");
      p.random_state = static_cast<std::uint32_t>(v);
    }
  }
  if (const Attribute* a = r.find("alpha_W")) p.alpha_W = r.real(*a);
  if (const Attribute* a = r.find("alpha_H")) {
    if (a->kind != Attribute::Kind::text || a->text != "same") p.alpha_H = r.real(*a);
  }
  if (const Attribute* a = r.find("l1_ratio")) p.l1_ratio = r.real(*a);
  if (const Attribute* a = r.find("verbose")) {
    const std::int64_t v = r.integer(*a);
    if (v < 0 || v > 1000) r.wrong(*a, "a level in [0, 1000]");
    p.verbose = static_cast<int>(v);
  }
  if (const Attribute* a = r.find("shuffle")) p.shuffle = r.integer(*a) != 0;
  p.validate();
  return p;
}

std::vector<Attribute> model_attributes(const ModelFacts& m) {
  std::vector<Attribute> a = {
      Attribute::of("reconstruction_err_", m.reconstruction_err),
      Attribute::of("n_iter_", m.n_iter),
      Attribute::of("n_components_", m.n_components),
      Attribute::of("n_features_in_", m.n_features),
  };
  for (Attribute& p : param_attributes(m.params)) a.push_back(std::move(p));
  // dnmf's own facts about the run, prefixed so they cannot clash with sklearn names.
  a.push_back(Attribute::of("dnmf_init_used", to_string(m.init_used)));
  a.push_back(Attribute::of("dnmf_grid", m.grid.str()));
  a.push_back(Attribute::of("dnmf_dtype", to_string(m.dtype)));
  a.push_back(Attribute::of("dnmf_fit_seconds", m.fit_seconds));
  // The seed the random init and cd's shuffle used: --random-state with it repeats the run.
  a.push_back(Attribute::of("dnmf_seed", m.seed));
  return a;
}

ModelFacts model_facts(const std::vector<Attribute>& attrs, const std::string& file) {
  const Reader r{attrs, file};
  const Attribute* k = r.find("n_components_");
  const Attribute* p = r.find("n_features_in_");
  ModelFacts m;
  if (k && k->kind == Attribute::Kind::integer) m.n_components = k->integer;
  if (p && p->kind == Attribute::Kind::integer) m.n_features = p->integer;
  if (m.n_components < 1 || m.n_features < 1) {
    throw InputError("'" + file + "' is not a dnmf model (no n_components_ / n_features_in_)");
  }
  m.params = params_from_attributes(attrs, file);
  return m;
}

}  // namespace dnmf::io
