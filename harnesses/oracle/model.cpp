// The oracle's construction and observation: the rule table it expands itself, the start of
// every call, and what the runner reads back (rules, live mappings).
#include "oracle.hpp"

namespace ddimap::oracle {

namespace {

// Our own expansion of rules.def (the core's tables are not linked).
struct OracleRuleRow {
  RuleId id;
  std::string_view name;
  bool refuses;
};
constexpr OracleRuleRow kRows[] = {
#define DDIMAP_RULE(E, ID, FAM, REFUSES, STATEMENT, SOURCE, BC, BP) \
  {RuleId::E, ID, (REFUSES) != 0},
#include "rules.def"
#undef DDIMAP_RULE
};

}  // namespace

std::string_view OracleRuleName(RuleId id) {
  for (const auto& r : kRows)
    if (r.id == id) return r.name;
  return "?";
}

bool OracleRuleRefuses(RuleId id) {
  for (const auto& r : kRows)
    if (r.id == id) return r.refuses;
  return false;
}

// ---------------------------------------------------------------------------
// construction and bookkeeping

Model::Model(MachineOptions options) : options_(std::move(options)) {
  system_ = {kSystemRegionBase, options_.system_region_size, kSystemRegionBase, {}};
  user_ = {kUserRegionBase, options_.user_region_size, kUserRegionBase, {}};
  pseudo_ = {kPseudoRegionBase, options_.pseudo_region_size, kPseudoRegionBase, {}};
  if (system_.size) system_.free.push_back({system_.base, system_.size});
  if (user_.size) user_.free.push_back({user_.base, user_.size});
  if (pseudo_.size) pseudo_.free.push_back({pseudo_.base, pseudo_.size});
}

bool Model::Begin() {
  ++seq_;  // sem: "Call numbers count every call of the program from 1"
  return !torn_down_;
}

void Model::Report(RuleId id, const Mapping* about) {
  // sem "Report format": a report about a mapping names the call that created it and, once it
  // is released (quarantined), the call that released it
  Evidence e{.rule = id};
  if (about) {
    e.has_created = true;
    e.created = about->created_seq;
    e.has_released = about->released;
    e.released = about->released ? about->released_seq : 0;
  }
  reports_.push_back(e);
}

std::vector<RuleId> Model::TakeRules() {
  std::vector<RuleId> out;
  TakeRules(&out);
  return out;
}

void Model::TakeRules(std::vector<RuleId>* out) {
  out->clear();
  for (const Evidence& e : reports_) out->push_back(e.rule);
  reports_.clear();
}

void Model::TakeReports(std::vector<Evidence>* out) {
  // a swap, not a copy: both buffers keep their capacity for the next calls
  out->swap(reports_);
  reports_.clear();
}

std::vector<MappingView> Model::LiveMappings() const {
  std::vector<MappingView> out;
  for (std::size_t i = 0; i < live_.size(); ++i) out.push_back(LiveMapping(i));
  return out;
}

MappingView Model::LiveMapping(std::size_t i) const {
  const Mapping& m = live_[i];
  MappingView v{};
  v.base = m.base;
  v.length = m.length;
  v.access_length = m.access_length;
  v.va_page = m.va_page;
  v.extent = m.extent;
  v.family = m.family;
  v.owner = m.owner;
  v.process = m.process;
  v.region = m.region;
  v.space = m.space;
  v.phys = m.phys;
  v.cache = m.cache;
  v.readable = m.readable;
  v.writable = m.writable;
  v.user_view = m.user_view;
  v.created_seq = m.created_seq;
  return v;
}

std::string Model::Describe() const {
  std::string out;
  for (const auto& v : LiveMappings()) out += "  " + ddimap::Describe(v) + "\n";
  return out;
}

}  // namespace ddimap::oracle
