// The machine's bookkeeping: construction, objects, mappings, introspection.
#include <cstdio>
#include <cstdlib>

#include "families/families.hpp"
#include "machine/no_coverage.hpp"
#include "machine/state.hpp"
#include "mutants/mutant.hpp"

namespace ddimap {

std::string Hex(u64 v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

Machine::State::State(MachineOptions o) : opt(std::move(o)) {
  regions[static_cast<int>(Region::System)].Reset(kSystemRegionBase, opt.system_region_size);
  regions[static_cast<int>(Region::User)].Reset(kUserRegionBase, opt.user_region_size);
  regions[static_cast<int>(Region::Pseudo)].Reset(kPseudoRegionBase, opt.pseudo_region_size);
  for (RuleId r : opt.suppress) suppressed.set(static_cast<std::size_t>(r));
  fault_state = opt.fault_seed;
}

// --- reports ------------------------------------------------------------------

void Machine::State::File(RuleId rule, std::string evidence, const CallRecord* created,
                          const CallRecord* released) {
  std::size_t idx = static_cast<std::size_t>(rule);
  ++counts[idx];
  ++total_reports;
  // Built where it is kept: a Report is three call records, and a fuzz run
  // files one every few calls.
  Report unkept;
  Report& r = reports.size() < opt.max_recorded_reports ? reports.emplace_back() : unkept;
  r.rule = rule;
  r.call = cur;
  r.evidence = std::move(evidence);
  r.has_created = created != nullptr;
  r.has_released = released != nullptr;
  if (created) r.created = *created;
  if (released) r.released = *released;
  r.process = cur.seq != 0 ? cur_process : 0;
  r.injected_seq = injected_calls.empty() ? 0 : injected_calls.back().seq;
  if (opt.policy == Policy::Abort || opt.print_reports) {
    std::string text = opt.report_format == ReportFormat::Json ? FormatReportJson(r) + "\n" : FormatReport(r);
    WriteReportLog(opt.log_path, text);  // flushed
    if (opt.policy == Policy::Abort) std::abort();
  }
}

// --- objects --------------------------------------------------------------------

template <typename T>
static T* FindIn(std::vector<T>& v, u64 h, HandleKind k) {
  if (!HandleIs(h, k)) return nullptr;
  u64 serial = HandleSerial(h);
  return serial <= v.size() ? &v[serial - 1] : nullptr;
}

Adapter* Machine::State::FindAdapter(u64 h) { return FindIn(adapters, h, HandleKind::Adapter); }
WdmDevice* Machine::State::FindWdm(u64 h) { return FindIn(wdm, h, HandleKind::WdmDevice); }
UmdfDevice* Machine::State::FindUmdf(u64 h) { return FindIn(umdf, h, HandleKind::UmdfDevice); }
VideoDevice* Machine::State::FindVideo(u64 h) { return FindIn(video, h, HandleKind::Video); }

Device* Machine::State::FindDevice(u64 h) {
  if (auto* a = FindAdapter(h)) return a;
  if (auto* w = FindWdm(h)) return w;
  if (auto* u = FindUmdf(h)) return u;
  if (auto* v = FindVideo(h)) return v;
  return nullptr;
}

Process* Machine::State::FindProcess(u64 h) {
  if (!HandleIs(h, HandleKind::Process)) return nullptr;
  auto it = processes.find(HandleSerial(h));
  return it == processes.end() ? nullptr : &it->second;
}

OpenFile* Machine::State::FindFile(u64 h) {
  if (!HandleIs(h, HandleKind::File)) return nullptr;
  auto it = files.find(HandleSerial(h));
  return it == files.end() ? nullptr : &it->second;
}

const Tombstone* Machine::State::FindTombstone(u64 h) const {
  for (std::size_t i = 0; i < tombstones.size(); ++i)
    if (tombstones[i].handle == h) return &tombstones[i];
  return nullptr;
}

void Machine::State::Bury(u64 handle, const CallRecord& created) {
  tombstones.push_back({handle, created, cur});
  while (tombstones.size() > opt.quarantine_capacity) tombstones.pop_front();
}

// --- mappings ---------------------------------------------------------------------

std::optional<u64> Machine::State::Reserve(Region r, u64 extent) {
  if (extent > ~0ull - kPageSize) return std::nullopt;
  return regions[static_cast<int>(r)].Allocate(extent + (DDIMAP_MUTANT(guard_page_not_reserved) ? 0 : kPageSize));
}

std::size_t* Machine::State::OwnerCount(const Mapping& m) {
  if (m.parent_va != 0) return nullptr;  // a UMDF view belongs to its pseudo mapping
  switch (m.v.family) {
    case Family::NdisIo:
    case Family::NdisShared: if (auto* d = FindAdapter(m.v.owner)) return &d->live_mappings; break;
    case Family::MmIo:
      if (m.start_device == 0) return &driver_mm_mappings;
      if (auto* d = FindWdm(m.start_device)) return &d->live_mappings;
      break;
    case Family::UmdfIo: if (auto* d = FindUmdf(m.v.owner)) return &d->live_mappings; break;
    case Family::Video:
    case Family::VideoBase: if (auto* d = FindVideo(m.v.owner)) return &d->live_mappings; break;
    default: break;
  }
  return nullptr;
}

Mapping& Machine::State::AddMapping(const MappingView& v, u64 start_device, u64 parent_va) {
  Mapping& m = maps.Insert(v, cur);
  m.start_device = start_device;
  m.parent_va = parent_va;
  if (std::size_t* n = OwnerCount(m)) ++*n;
  if (v.family != Family::NdisFile && v.space == PhysSpace::Memory && parent_va == 0)
    phys.AddCache(PageFloor(v.phys), PageFloor(v.phys) + v.extent, v.cache);
  return m;
}

void Machine::State::FreeExtent(const Mapping& m) {
  regions[static_cast<int>(m.v.region)].Free(m.v.va_page, m.v.extent + (DDIMAP_MUTANT(guard_page_not_reserved) ? 0 : kPageSize));
}

void Machine::State::ReleaseMappingBy(Mapping& live, const CallRecord& by, bool quarantine) {
  Mapping* m = &live;
  if (std::size_t* n = OwnerCount(*m); n && !DDIMAP_MUTANT(owner_count_not_decremented)) --*n;
  if (m->v.family == Family::UmdfIo && m->parent_va == 0)
    if (UmdfDevice* d = FindUmdf(m->v.owner)) d->mapped.erase(m->resource_start);
  if (m->v.family != Family::NdisFile && m->v.space == PhysSpace::Memory && m->parent_va == 0 &&
      !DDIMAP_MUTANT(cache_count_not_decremented))
    phys.RemoveCache(PageFloor(m->v.phys), PageFloor(m->v.phys) + m->v.extent, m->v.cache);
  u64 va_page = m->v.va_page, view = m->view_va;
  auto free_fn = [this](const Mapping& x) { FreeExtent(x); };
  std::size_t capacity = quarantine && !DDIMAP_MUTANT(quarantine_skipped)
                             ? opt.quarantine_capacity - (DDIMAP_MUTANT(quarantine_evict_early) ? 1 : 0)
                             : 0;
  maps.Release(va_page, by, capacity, free_fn);
  if (view != 0 && !DDIMAP_MUTANT(umdf_view_not_released)) maps.Release(view, by, capacity, free_fn);
}

std::string Machine::State::DescribeAddress(u64 address, const AddressLookup& l) const {
  if (l.kind == AddressLookup::Nothing) return "address " + Hex(address) + " was never mapped";
  const MappingView& v = l.mapping->v;
  std::string range = "[" + Hex(v.base) + ", " + Hex(v.base + v.length) + ")";
  std::string who = std::string(FamilyName(v.family)) + " mapping " + range;
  if (v.owner != 0) who += " of " + Hex(v.owner);
  switch (l.kind) {
    case AddressLookup::Base: return "address " + Hex(address) + " is the base of the live " + who;
    case AddressLookup::Interior:
      return "address " + Hex(address) + " is " + Hex(address >= v.base ? address - v.base : v.base - address) +
             (address >= v.base ? " bytes inside the live " : " bytes before the base of the live ") + who;
    case AddressLookup::Guard:
      return "address " + Hex(address) + " is past the end of the live " + who;
    case AddressLookup::Released:
      return "address " + Hex(address) + " lies in the released " + who;
    case AddressLookup::ReleasedGuard:
      return "address " + Hex(address) + " is past the end of the released " + who;
    default: return {};
  }
}

// --- Machine: construction and introspection -------------------------------------------

Machine::Machine(MachineOptions options) : s_(std::make_unique<State>(std::move(options))) {}
Machine::Machine(const Machine& other) : s_(std::make_unique<State>(*other.s_)) {}
Machine& Machine::operator=(const Machine& other) {
  if (this != &other) *s_ = *other.s_;
  return *this;
}
Machine::~Machine() { Teardown(); }

bool Machine::torn_down() const { return s_->torn_down; }
const CallRecord& Machine::last_call() const { return s_->cur; }
const std::vector<Report>& Machine::reports() const { return s_->reports; }
std::size_t Machine::report_count() const { return s_->total_reports; }
std::size_t Machine::report_count(RuleId rule) const {
  return s_->counts[static_cast<std::size_t>(rule)];
}
void Machine::ClearReports() {
  s_->reports.clear();
  s_->total_reports = 0;
  s_->counts = {};
}
void Machine::SetPolicy(Policy policy) { s_->opt.policy = policy; }
void Machine::Suppress(RuleId rule) { s_->suppressed.set(static_cast<std::size_t>(rule)); }
void Machine::Unsuppress(RuleId rule) { s_->suppressed.reset(static_cast<std::size_t>(rule)); }
void Machine::SetPrintReports(bool print) { s_->opt.print_reports = print; }
void Machine::SetEvidence(bool keep) { s_->opt.evidence = keep; }
const MachineOptions& Machine::options() const { return s_->opt; }
std::string Machine::FormatReport(const Report& r) const { return s_->FormatReport(r); }
std::string Machine::FormatReportJson(const Report& r) const { return s_->FormatReportJson(r); }
std::string Machine::FormatCall(const CallRecord& c) const { return s_->FormatCall(c); }
std::string Machine::FileNameOf(u64 id) const {
  return id < s_->names.size() ? s_->names[id] : std::string("<name not recorded>");
}

u8 Machine::irql() const { return s_->irql; }
Callback Machine::callback() const { return s_->cb; }
u64 Machine::callback_object() const { return s_->cb_object; }
u64 Machine::current_process() const { return s_->cur_process; }
u64 Machine::call_count() const { return s_->seq; }
void Machine::StartProgram() { s_->seq = 0; }
std::size_t Machine::live_mapping_count() const { return s_->maps.live().size(); }
u64 Machine::mapping_changes() const { return s_->maps.changes(); }
std::size_t Machine::quarantined_count() const { return s_->maps.quarantined(); }
std::size_t Machine::touched_page_count() const { return s_->phys.touched_pages(); }

std::vector<MappingView> Machine::LiveMappings() const {
  std::vector<MappingView> out;
  out.reserve(s_->maps.live().size());
  for (const auto& [k, m] : s_->maps.live()) out.push_back(m.v);
  return out;
}

// Left out of coverage like CheckInvariants: a walk the harness makes after
// every mapping call, with nothing to tell about the input.
DDIMAP_NO_COVERAGE void Machine::LiveMappings(std::vector<const MappingView*>* out) const {
  out->clear();
  for (const auto& [k, m] : s_->maps.live()) out->push_back(&m.v);
}

// The self-check's comparisons tell a fuzzer nothing about its input, and
// it walks every live mapping after every call: in the fuzzing builds the
// coverage hooks (one per comparison) made it the costliest part of a run.
DDIMAP_NO_COVERAGE std::string Machine::CheckInvariants() const {
  const State& s = *s_;
  u64 prev_end = 0;
  bool first = true;
  std::size_t per_adapter = 0, per_wdm = 0, per_umdf = 0, per_video = 0, driver_mm = 0;
  for (const auto& [k, m] : s.maps.live()) {
    const MappingView& v = m.v;
    if (k != v.va_page) return "mapping key " + Hex(k) + " differs from its va_page";
    if (!first && v.va_page < prev_end + kPageSize)
      return "live mapping at " + Hex(v.va_page) + " overlaps its predecessor or its guard page";
    first = false;
    prev_end = v.va_page + v.extent;
    if (v.base < v.va_page || v.base - v.va_page + v.access_length > v.extent)
      return "mapping " + Hex(v.base) + " does not fit its extent";
    if (v.extent % kPageSize != 0) return "extent of " + Hex(v.base) + " is not whole pages";
    if (!s.regions[static_cast<int>(v.region)].Contains(v.va_page))
      return "mapping " + Hex(v.base) + " lies outside its region";
    if (v.family != Family::NdisFile && m.parent_va == 0 && (v.phys & kPageMask) != (v.base & kPageMask))
      return "mapping " + Hex(v.base) + " does not translate to its physical page offset";
    if (m.view_va != 0) {
      const Mapping* view = s.maps.FindLive(m.view_va);
      if (!view || view->parent_va != k) return "UMDF view of " + Hex(v.base) + " is missing";
    }
    if (m.parent_va != 0) {
      if (!s.maps.FindLive(m.parent_va)) return "UMDF view " + Hex(v.base) + " outlived its pseudo mapping";
      continue;  // views are not owned mappings
    }
    switch (v.family) {
      case Family::NdisIo:
      case Family::NdisShared: ++per_adapter; break;
      case Family::MmIo: (m.start_device != 0 ? per_wdm : driver_mm)++; break;
      case Family::UmdfIo: ++per_umdf; break;
      case Family::Video:
      case Family::VideoBase: ++per_video; break;
      default: break;
    }
  }
  std::size_t a = 0, w = 0, u = 0, vd = 0;
  for (const auto& d : s.adapters) a += d.live_mappings;
  for (const auto& d : s.wdm) w += d.live_mappings;
  for (const auto& d : s.umdf) u += d.live_mappings;
  for (const auto& d : s.video) vd += d.live_mappings;
  if (a != per_adapter) return "adapter mapping counts do not balance";
  if (w != per_wdm) return "WDM device mapping counts do not balance";
  if (u != per_umdf) return "UMDF device mapping counts do not balance";
  if (vd != per_video) return "video device mapping counts do not balance";
  if (driver_mm != s.driver_mm_mappings) return "driver-wide MM mapping count does not balance";
  for (const auto& [serial, f] : s.files) {
    if (f.mapped_va != 0) {
      const Mapping* m = s.maps.FindLive(f.mapped_va);
      if (!m || m->file != serial) return "file mapping of file " + Hex(serial) + " is missing";
    }
  }
  // A live port range belongs to an adapter that may still release it: a
  // halted adapter's ranges were released by its leak report.
  for (const auto& r : s.ports) {
    const Adapter* ad = nullptr;
    for (std::size_t i = 0; i < s.adapters.size(); ++i)
      if (MakeHandle(HandleKind::Adapter, i + 1) == r.adapter) ad = &s.adapters[i];
    if (!ad || ad->state == AdapterState::Created || ad->state == AdapterState::Halted)
      return "port range " + Hex(r.initial) + " outlived its adapter " + Hex(r.adapter);
  }
  if (s.released_ports.size() > s.opt.quarantine_capacity) return "released port ranges exceed the quarantine";
  return {};
}

// --- building ---------------------------------------------------------------------------

bool Machine::State::ResourceOverlaps(PhysSpace space, u64 start, u64 length) const {
  for (const auto& r : resources)
    if (r.space == space && Overlaps(start, length, r.start, r.length)) return true;
  return false;
}

ControlStatus Machine::AddRam(u64 pa, u64 length) {
  if (!s_->Begin(CallId::AddRam, {pa, length})) return ControlStatus::BadState;
  if (length == 0 || PhysOverflows(pa, length)) return ControlStatus::BadArgument;
  if (s_->ResourceOverlaps(PhysSpace::Memory, pa, length)) return ControlStatus::BadArgument;
  s_->phys.AddRam(pa, length);
  return ControlStatus::Ok;
}

u64 Machine::CreateNdisAdapter() {
  if (!s_->Begin(CallId::CreateNdisAdapter, {})) return 0;
  s_->adapters.emplace_back();
  return MakeHandle(HandleKind::Adapter, s_->adapters.size());
}

u64 Machine::CreateWdmDevice() {
  if (!s_->Begin(CallId::CreateWdmDevice, {})) return 0;
  s_->wdm.emplace_back();
  return MakeHandle(HandleKind::WdmDevice, s_->wdm.size());
}

u64 Machine::CreateUmdfDevice(u32 version, bool allow, RegisterAccess mode) {
  if (!s_->Begin(CallId::CreateUmdfDevice, {version, allow, static_cast<u64>(mode)})) return 0;
  UmdfDevice d;
  d.version = version;
  d.direct_access = allow;
  d.mode = mode;
  s_->umdf.push_back(std::move(d));
  return MakeHandle(HandleKind::UmdfDevice, s_->umdf.size());
}

u64 Machine::CreateVideoDevice() {
  if (!s_->Begin(CallId::CreateVideoDevice, {})) return 0;
  s_->video.emplace_back();
  return MakeHandle(HandleKind::Video, s_->video.size());
}

ControlStatus Machine::AssignResource(u64 object, PhysSpace space, u64 start, u64 length) {
  if (!s_->Begin(CallId::AssignResource, {object, static_cast<u64>(space), start, length}))
    return ControlStatus::BadState;
  Device* dev = s_->FindDevice(object);
  if (!dev) return ControlStatus::BadObject;
  if (static_cast<u8>(space) > 1 || length == 0 || PhysOverflows(start, length))
    return ControlStatus::BadArgument;
  if (space == PhysSpace::Memory && s_->phys.OverlapsRam(start, length)) return ControlStatus::BadArgument;
  if (s_->ResourceOverlaps(space, start, length)) return ControlStatus::BadArgument;
  s_->resources.push_back({object, space, start, length});
  return ControlStatus::Ok;
}

ControlStatus Machine::AddFile(std::optional<std::string_view> file_name, u32 length, bool readable) {
  const std::string_view name = file_name.value_or(std::string_view{});  // NULL: no name
  u64 id = s_->Intern(name);
  if (!s_->Begin(CallId::AddFile, {id, length, readable})) return ControlStatus::BadState;
  if (name.empty()) return ControlStatus::BadArgument;
  for (const auto& f : s_->file_table)
    if (f.name == name) return ControlStatus::BadArgument;
  // Files are firmware images a driver downloads; a bound keeps the model's
  // host memory proportional to what the test set up, not to fuzzed lengths.
  if (length > (16u << 20)) return ControlStatus::BadArgument;
  s_->file_table.push_back({std::string(name), length, readable, families::FileContent(name, length)});
  return ControlStatus::Ok;
}

}  // namespace ddimap
