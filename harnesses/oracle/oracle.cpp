// The ddimap oracle. Every decision below cites docs/semantics.md ("sem"),
// docs/contracts.md ("contracts") or rules.def; where the doc is open, the comment says
// "reading:" and names the choice made.
#include "oracle.hpp"

#include <cstdio>

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

constexpr u64 kTopOfPhysical = 0xFFFFFFFFFFFFF000ull;  // sem "overflow"

bool Contains(u64 start, u64 length, u64 a) {  // a in [start, start+length)
  return a >= start && a - start < length;
}

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

void Model::Report(RuleId id) { rules_.push_back(id); }

std::vector<RuleId> Model::TakeRules() {
  std::vector<RuleId> out;
  TakeRules(&out);
  return out;
}

void Model::TakeRules(std::vector<RuleId>* out) {
  // a swap, not a copy: both buffers keep their capacity for the next calls
  out->swap(rules_);
  rules_.clear();
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

// ---------------------------------------------------------------------------
// lookups (linear scans)

Model::Adapter* Model::FindAdapter(u64 h) {
  for (auto& a : adapters_)
    if (a.handle == h) return &a;
  return nullptr;
}
Model::WdmDevice* Model::FindWdm(u64 h) {
  for (auto& d : wdm_)
    if (d.handle == h) return &d;
  return nullptr;
}
Model::UmdfDevice* Model::FindUmdf(u64 h) {
  for (auto& d : umdf_)
    if (d.handle == h) return &d;
  return nullptr;
}
Model::VideoDevice* Model::FindVideo(u64 h) {
  for (auto& d : video_)
    if (d.handle == h) return &d;
  return nullptr;
}
Model::Process* Model::FindProcess(u64 h) {
  for (auto& p : processes_)
    if (p.handle == h) return &p;
  return nullptr;
}
Model::OpenFile* Model::FindFile(u64 h) {
  for (auto& f : files_)
    if (f.handle == h) return &f;
  return nullptr;
}
const Model::TableFile* Model::FindTableFile(std::string_view name) const {
  for (const auto& f : file_table_)
    if (f.name == name) return &f;
  return nullptr;
}
Model::Mapping* Model::FindLive(u64 id) {
  for (auto& m : live_)
    if (m.id == id) return &m;
  return nullptr;
}

// ---------------------------------------------------------------------------
// physical space

bool Model::Overflows(u64 pa, u64 len) {
  // sem: a range overflows when PhysicalAddress + length passes 0xFFFFFFFFFFFFF000.
  return len > kTopOfPhysical || pa > kTopOfPhysical - len;
}

bool Model::TouchesRam(u64 pa, u64 len) const {
  const u64 last = pa + (len - 1);
  for (const auto& r : ram_) {
    const u64 rlast = r.start + (r.length - 1);
    if (r.start <= last && pa <= rlast) return true;
  }
  return false;
}

bool Model::InsideOneResource(u64 owner, PhysSpace space, u64 pa, u64 len) const {
  for (const auto& r : resources_) {
    if (r.owner != owner || r.space != space) continue;
    if (pa >= r.start && pa - r.start <= r.length && len <= r.length - (pa - r.start)) return true;
  }
  return false;
}

bool Model::CacheConflict(PhysSpace space, u64 pa, u64 len, u32 cache) const {
  // sem caching: a live mapping of any overlapping physical page with another type; tracked
  // only for Memory-space device mappings (not NDIS_FILE, not views, not Port)
  if (space != PhysSpace::Memory) return false;
  const u64 first = pa & ~kPageMask;
  const u64 last = (pa + (len - 1)) & ~kPageMask;
  for (const auto& m : live_) {
    if (m.is_file || m.user_view || m.space != PhysSpace::Memory || m.length == 0) continue;
    const u64 mfirst = m.phys & ~kPageMask;
    const u64 mlast = (m.phys + (m.length - 1)) & ~kPageMask;
    if (mfirst <= last && first <= mlast && m.cache != cache) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// virtual space: next-fit with a cursor per region (sem "allocation")

Model::VaRegion& Model::RegionOf(Region r) {
  if (r == Region::User) return user_;
  if (r == Region::Pseudo) return pseudo_;
  return system_;
}

u64 Model::ExtentOf(u64 base_offset, u64 length) {
  // whole pages from the page of the first byte to the page of the last
  if (length == 0) return kPageSize;  // sem "Mapping records": NDIS_FILE max(1, ceil(length / 4096))
  const u64 end = base_offset + length;  // callers guarantee no wrap
  return (end + kPageMask) & ~kPageMask;
}

std::optional<u64> Model::Allocate(Region r, u64 extent) {
  VaRegion& g = RegionOf(r);
  auto fits = [&](u64 avail) { return avail >= extent && avail - extent >= kPageSize; };
  std::size_t chosen = g.free.size();
  u64 start = 0;
  // from the block holding the cursor, in address order, each from max(start, cursor)
  for (std::size_t i = 0; i < g.free.size(); ++i) {
    const Range& b = g.free[i];
    const u64 bend = b.start + b.length;
    if (bend <= g.cursor) continue;
    const u64 cand = b.start > g.cursor ? b.start : g.cursor;
    if (fits(bend - cand)) {
      chosen = i;
      start = cand;
      break;
    }
  }
  // wrap: the blocks that start below the cursor, each from its start
  if (chosen == g.free.size()) {
    for (std::size_t i = 0; i < g.free.size(); ++i) {
      const Range& b = g.free[i];
      if (b.start >= g.cursor) continue;
      if (fits(b.length)) {
        chosen = i;
        start = b.start;
        break;
      }
    }
  }
  if (chosen == g.free.size()) return std::nullopt;
  const Range b = g.free[chosen];
  const u64 taken_end = start + extent + kPageSize;
  const u64 bend = b.start + b.length;
  // the block becomes what is left before and after the taken range (zero, one or two blocks)
  const auto at = g.free.begin() + static_cast<std::ptrdiff_t>(chosen);
  if (start > b.start && bend > taken_end) {
    at->length = start - b.start;
    g.free.insert(at + 1, Range{taken_end, bend - taken_end});
  } else if (start > b.start) {
    *at = {b.start, start - b.start};
  } else if (bend > taken_end) {
    *at = {taken_end, bend - taken_end};
  } else {
    g.free.erase(at);
  }
  g.cursor = taken_end;
  return start;
}

void Model::FreeBlock(Region r, u64 start, u64 length) {
  VaRegion& g = RegionOf(r);
  std::size_t pos = 0;
  while (pos < g.free.size() && g.free[pos].start < start) ++pos;
  g.free.insert(g.free.begin() + static_cast<std::ptrdiff_t>(pos), Range{start, length});
  // merge with the next block
  if (pos + 1 < g.free.size() && g.free[pos].start + g.free[pos].length == g.free[pos + 1].start) {
    g.free[pos].length += g.free[pos + 1].length;
    g.free.erase(g.free.begin() + static_cast<std::ptrdiff_t>(pos + 1));
  }
  // merge with the previous block
  if (pos > 0 && g.free[pos - 1].start + g.free[pos - 1].length == g.free[pos].start) {
    g.free[pos - 1].length += g.free[pos].length;
    g.free.erase(g.free.begin() + static_cast<std::ptrdiff_t>(pos));
  }
}

// ---------------------------------------------------------------------------
// mappings

u64 Model::AddMapping(Mapping m) {
  m.id = next_mapping_id_++;
  ++mapping_changes_;
  if (m.family != Family::MmIo) m.leak_owner = m.owner;
  m.created_seq = seq_;
  // kept in address order; a new mapping usually lands last (next-fit allocation)
  auto pos = live_.end();
  while (pos != live_.begin() && (pos - 1)->va_page > m.va_page) --pos;
  live_.insert(pos, m);
  return m.id;
}

void Model::Evict() {
  // sem quarantine: the oldest is evicted to the free space when one too many arrives
  while (quarantine_.size() > options_.quarantine_capacity) {
    const Mapping old = quarantine_.front();
    quarantine_.erase(quarantine_.begin());
    FreeBlock(old.region, old.va_page, old.extent + kPageSize);
  }
}

void Model::ReleaseOne(u64 id) {
  for (std::size_t i = 0; i < live_.size(); ++i) {
    if (live_[i].id != id) continue;
    const Mapping m = live_[i];
    live_.erase(live_.begin() + static_cast<std::ptrdiff_t>(i));
    ++mapping_changes_;
    quarantine_.push_back(m);
    Evict();
    return;
  }
}

void Model::Release(u64 id) {
  const Mapping* m = FindLive(id);
  if (!m) return;
  const u64 view = m->view_id;
  ReleaseOne(id);
  // sem: a UMDF user-mode view is released (and quarantined) right after its pseudo mapping
  if (view) ReleaseOne(view);
}

Model::Class Model::Classify(u64 address, const Mapping** found) const {
  // sem "Address classification"; user-mode views count as nothing
  for (const auto& m : live_)
    if (!m.user_view && m.base == address) {
      *found = &m;
      return Class::Exact;
    }
  for (const auto& m : live_)
    if (!m.user_view && Contains(m.va_page, m.extent, address)) {
      *found = &m;
      return Class::Interior;
    }
  for (const auto& m : quarantine_)
    if (!m.user_view && Contains(m.va_page, m.extent, address)) {
      *found = &m;
      return Class::Released;
    }
  *found = nullptr;
  return Class::Nothing;
}

std::vector<u64> Model::IdsByAddress(Family family, u64 owner, u64 process) const {
  std::vector<u64> ids;  // live_ is in address order already
  for (const auto& m : live_) {
    if (m.user_view || m.is_file || m.family != family) continue;
    if (process ? m.process != process : m.leak_owner != owner) continue;
    ids.push_back(m.id);
  }
  return ids;
}

void Model::LeakMappings(Family family, u64 owner, RuleId rule) {
  // decided (docs/semantics.md, Smaller decisions, order of several leaks): one report per mapping in ascending
  // address order, each released right after its report
  for (u64 id : IdsByAddress(family, owner, 0)) {
    Report(rule);
    Release(id);
  }
}

void Model::CloseFileNow(OpenFile& f) {
  if (f.mapping_id) {
    Release(f.mapping_id);
    f.mapping_id = 0;
  }
  f.open = false;
  f.written.clear();
}

// ---------------------------------------------------------------------------
// building

ControlStatus Model::AddRam(u64 physical_address, u64 length) {
  if (!Begin()) return ControlStatus::BadState;
  // reading: empty or overflowing ranges and RAM over a device resource are BadArgument
  if (length == 0 || Overflows(physical_address, length)) return ControlStatus::BadArgument;
  for (const auto& r : resources_) {
    if (r.space != PhysSpace::Memory) continue;
    if (r.start <= physical_address + (length - 1) && physical_address <= r.start + (r.length - 1))
      return ControlStatus::BadArgument;
  }
  ram_.push_back({physical_address, length});
  return ControlStatus::Ok;
}

u64 Model::CreateNdisAdapter() {
  if (!Begin()) return 0;
  const u64 h = MakeHandle(HandleKind::Adapter, next_adapter_++);
  adapters_.push_back({h, AdapterState::Created});
  return h;
}

u64 Model::CreateWdmDevice() {
  if (!Begin()) return 0;
  const u64 h = MakeHandle(HandleKind::WdmDevice, next_wdm_++);
  wdm_.push_back({h, WdmState::Added});
  return h;
}

u64 Model::CreateUmdfDevice(u32 version, bool allow_direct_hardware_access, RegisterAccess mode) {
  if (!Begin()) return 0;
  const u64 h = MakeHandle(HandleKind::UmdfDevice, next_umdf_++);
  umdf_.push_back({h, version, allow_direct_hardware_access, mode, UmdfState::Created});
  return h;
}

u64 Model::CreateVideoDevice() {
  if (!Begin()) return 0;
  const u64 h = MakeHandle(HandleKind::Video, next_video_++);
  video_.push_back({h});
  return h;
}

ControlStatus Model::AssignResource(u64 object, PhysSpace space, u64 start, u64 length) {
  if (!Begin()) return ControlStatus::BadState;
  const bool device = FindAdapter(object) || FindWdm(object) || FindUmdf(object) || FindVideo(object);
  if (!device) return ControlStatus::BadObject;
  if (space != PhysSpace::Memory && space != PhysSpace::Port) return ControlStatus::BadArgument;
  if (length == 0 || Overflows(start, length)) return ControlStatus::BadArgument;
  const u64 last = start + (length - 1);
  if (space == PhysSpace::Memory)
    for (const auto& r : ram_)
      if (r.start <= last && start <= r.start + (r.length - 1)) return ControlStatus::BadArgument;
  for (const auto& r : resources_)
    if (r.space == space && r.start <= last && start <= r.start + (r.length - 1))
      return ControlStatus::BadArgument;
  resources_.push_back({object, space, start, length});
  return ControlStatus::Ok;
}

ControlStatus Model::AddFile(std::optional<std::string_view> file_name, u32 length, bool readable) {
  const std::string_view name = file_name.value_or(std::string_view{});
  if (!Begin()) return ControlStatus::BadState;
  // decided (docs/semantics.md, Smaller decisions, AddFile): a name, unique, and at most 16 MiB
  if (name.empty() || FindTableFile(name) || length > (16u << 20)) return ControlStatus::BadArgument;
  file_table_.push_back({std::string(name), length, readable});
  return ControlStatus::Ok;
}

// ---------------------------------------------------------------------------
// lifecycle

ControlStatus Model::SetIrql(u64 irql) {
  if (!Begin()) return ControlStatus::BadState;
  if (irql > kHighLevel) {
    Report(RuleId::MachineIrqlRange);
    return ControlStatus::BadArgument;  // reading: the refused SetIrql returns BadArgument
  }
  irql_ = static_cast<u8>(irql);
  return ControlStatus::Ok;
}

u64 Model::CreateProcess() {
  if (!Begin()) return 0;
  const u64 h = MakeHandle(HandleKind::Process, next_process_++);
  processes_.push_back({h, true});
  return h;
}

ControlStatus Model::ExitProcess(u64 process) {
  if (!Begin()) return ControlStatus::BadState;
  Process* p = FindProcess(process);
  if (!p || !p->live) return ControlStatus::BadObject;
  // sem VIDEO leaks: user mappings of a process that exits -> VIDEO.LEAK, then released
  for (u64 id : IdsByAddress(Family::Video, 0, process)) {
    Report(RuleId::VideoLeak);
    Release(id);
  }
  p->live = false;
  if (current_process_ == process) current_process_ = 0;  // reading: detaches
  return ControlStatus::Ok;
}

ControlStatus Model::AttachProcess(u64 process) {
  if (!Begin()) return ControlStatus::BadState;
  if (process == 0) {
    current_process_ = 0;
    return ControlStatus::Ok;
  }
  Process* p = FindProcess(process);
  if (!p || !p->live) return ControlStatus::BadObject;
  current_process_ = process;
  return ControlStatus::Ok;
}

ControlStatus Model::EnterCallback(Callback cb, u64 object) {
  if (!Begin()) return ControlStatus::BadState;
  // decided (docs/semantics.md, Smaller decisions, EnterCallback check order): "one runs already" first
  if (callback_ != Callback::None) return ControlStatus::BadState;
  const auto v = static_cast<unsigned>(cb);
  if (cb == Callback::None || v >= static_cast<unsigned>(kCallbackCount))
    return ControlStatus::BadArgument;
  switch (cb) {
    case Callback::MiniportInitializeEx:
    case Callback::MiniportHaltEx: {
      Adapter* a = FindAdapter(object);
      if (!a) return ControlStatus::BadObject;
      if (cb == Callback::MiniportInitializeEx) {
        if (a->state != AdapterState::Created) return ControlStatus::BadState;
        a->state = AdapterState::Initializing;
      } else {
        if (a->state != AdapterState::Running) return ControlStatus::BadState;
        a->state = AdapterState::Halting;
      }
      break;
    }
    case Callback::StartDevice:
    case Callback::StopDevice:
    case Callback::RemoveDevice:
    case Callback::SurpriseRemoval: {
      WdmDevice* d = FindWdm(object);
      if (!d) return ControlStatus::BadObject;
      const WdmState s = d->state;
      bool ok = false;
      if (cb == Callback::StartDevice) ok = s == WdmState::Added || s == WdmState::Stopped;
      if (cb == Callback::StopDevice) ok = s == WdmState::Started;
      if (cb == Callback::RemoveDevice)
        ok = s == WdmState::Added || s == WdmState::Started || s == WdmState::Stopped ||
             s == WdmState::SurpriseRemoved;
      if (cb == Callback::SurpriseRemoval) ok = s == WdmState::Started || s == WdmState::Stopped;
      if (!ok) return ControlStatus::BadState;
      break;
    }
    case Callback::OnPrepareHardware:
    case Callback::OnReleaseHardware: {
      UmdfDevice* d = FindUmdf(object);
      if (!d) return ControlStatus::BadObject;
      if (cb == Callback::OnPrepareHardware && d->state != UmdfState::Created)
        return ControlStatus::BadState;
      if (cb == Callback::OnReleaseHardware && d->state != UmdfState::Prepared)
        return ControlStatus::BadState;
      break;
    }
    case Callback::VideoStartIo:
      if (!FindVideo(object)) return ControlStatus::BadObject;
      break;
    case Callback::None:
      return ControlStatus::BadArgument;
  }
  callback_ = cb;
  callback_object_ = object;
  return ControlStatus::Ok;
}

ControlStatus Model::LeaveCallback(bool succeeded) {
  if (!Begin()) return ControlStatus::BadState;
  if (callback_ == Callback::None) return ControlStatus::BadState;
  const Callback cb = callback_;
  const u64 obj = callback_object_;
  switch (cb) {
    case Callback::MiniportInitializeEx: {
      Adapter* a = FindAdapter(obj);
      // sem: leaving MiniportInitializeEx (either outcome) with files of that adapter open ->
      // NDIS_FILE.LEAK per file; the file stays open (and mapped), reported at most once.
      // decided (docs/semantics.md, Smaller decisions, order of several leaks): file leaks before mapping leaks.
      for (auto& f : files_)
        if (f.open && f.adapter == obj && !f.leak_reported) {
          Report(RuleId::NdisFileLeak);
          f.leak_reported = true;
        }
      if (!succeeded) LeakMappings(Family::NdisIo, obj, RuleId::NdisIoLeak);
      if (a) a->state = succeeded ? AdapterState::Running : AdapterState::Halted;
      break;
    }
    case Callback::MiniportHaltEx: {
      LeakMappings(Family::NdisIo, obj, RuleId::NdisIoLeak);
      if (Adapter* a = FindAdapter(obj)) a->state = AdapterState::Halted;
      break;
    }
    case Callback::StartDevice: {
      WdmDevice* d = FindWdm(obj);
      if (!succeeded) LeakMappings(Family::MmIo, obj, RuleId::MmIoLeak);
      // decided (docs/semantics.md, Smaller decisions, a failing restart): the state it started from (added or stopped)
      if (d && succeeded) d->state = WdmState::Started;
      break;
    }
    case Callback::StopDevice:
    case Callback::RemoveDevice:
    case Callback::SurpriseRemoval: {
      LeakMappings(Family::MmIo, obj, RuleId::MmIoLeak);
      if (WdmDevice* d = FindWdm(obj))
        d->state = cb == Callback::StopDevice     ? WdmState::Stopped
                   : cb == Callback::RemoveDevice ? WdmState::Removed
                                                  : WdmState::SurpriseRemoved;
      break;
    }
    case Callback::OnPrepareHardware: {
      if (!succeeded) LeakMappings(Family::UmdfIo, obj, RuleId::UmdfIoLeak);
      if (UmdfDevice* d = FindUmdf(obj)) d->state = succeeded ? UmdfState::Prepared : UmdfState::Created;
      break;
    }
    case Callback::OnReleaseHardware: {
      LeakMappings(Family::UmdfIo, obj, RuleId::UmdfIoLeak);
      if (UmdfDevice* d = FindUmdf(obj)) d->state = UmdfState::Created;
      break;
    }
    case Callback::VideoStartIo:
    case Callback::None:
      break;
  }
  callback_ = Callback::None;
  callback_object_ = 0;
  return ControlStatus::Ok;
}

// ---------------------------------------------------------------------------
// NDIS I/O space

NdisStatus Model::NdisMMapIoSpace(u64* VirtualAddress, u64 Adapter_, u64 PhysicalAddress,
                                  u32 Length) {
  // decided (docs/semantics.md, Smaller decisions, calls after Teardown): ignored, but the failure out-values are written
  if (!Begin()) {
    if (VirtualAddress) *VirtualAddress = 0;
    return kNdisStatusFailure;
  }
  auto fail = [&](NdisStatus s) {
    if (VirtualAddress) *VirtualAddress = 0;
    return s;
  };
  auto refuse = [&](RuleId r) {
    Report(r);
    return fail(kNdisStatusFailure);
  };
  if (irql_ != kPassiveLevel) return refuse(RuleId::NdisIoIrql);
  Adapter* a = FindAdapter(Adapter_);
  if (!a || !(a->state == AdapterState::Initializing || a->state == AdapterState::Running ||
              a->state == AdapterState::Halting))
    return refuse(RuleId::NdisIoBadHandle);
  if (!VirtualAddress) return refuse(RuleId::CommonNullPointer);
  if (!(callback_ == Callback::MiniportInitializeEx && callback_object_ == Adapter_))
    return refuse(RuleId::NdisIoMapContext);
  // sem NDIS_IO step 5: "overflowing" is the model-wide overflow (passing 0xFFFFFFFFFFFFF000)
  if (Length == 0 || Overflows(PhysicalAddress, Length)) return fail(kNdisStatusFailure);
  if (TouchesRam(PhysicalAddress, Length)) return refuse(RuleId::NdisIoMapRam);
  if (!InsideOneResource(Adapter_, PhysSpace::Memory, PhysicalAddress, Length))
    return fail(kNdisStatusResourceConflict);
  if (CacheConflict(PhysSpace::Memory, PhysicalAddress, Length, kMmNonCached))
    return refuse(RuleId::MmIoCacheConflict);
  const u64 off = PhysicalAddress & kPageMask;
  const u64 extent = ExtentOf(off, Length);
  auto page = Allocate(Region::System, extent);
  if (!page) return fail(kNdisStatusResources);
  Mapping m{};
  m.base = *page + off;
  m.length = Length;
  m.access_length = Length;
  m.va_page = *page;
  m.extent = extent;
  m.family = Family::NdisIo;
  m.owner = Adapter_;
  m.region = Region::System;
  m.space = PhysSpace::Memory;
  m.phys = PhysicalAddress;
  m.cache = kMmNonCached;
  m.writable = true;
  AddMapping(m);
  *VirtualAddress = m.base;
  return kNdisStatusSuccess;
}

void Model::NdisMUnmapIoSpace(u64 Adapter_, u64 VirtualAddress, u32 Length) {
  if (!Begin()) return;
  if (irql_ != kPassiveLevel) return Report(RuleId::NdisIoIrql);
  Adapter* a = FindAdapter(Adapter_);
  if (!a || !(a->state == AdapterState::Initializing || a->state == AdapterState::Running ||
              a->state == AdapterState::Halting))
    return Report(RuleId::NdisIoBadHandle);
  if (!((callback_ == Callback::MiniportInitializeEx || callback_ == Callback::MiniportHaltEx) &&
        callback_object_ == Adapter_))
    return Report(RuleId::NdisIoUnmapContext);
  const Mapping* m = nullptr;
  const Class c = Classify(VirtualAddress, &m);
  if (c == Class::Nothing) return Report(RuleId::NdisIoUnmapNotMapped);
  // sem: a released mapping -> UNMAP_DOUBLE whatever family or owner it had
  if (c == Class::Released) return Report(RuleId::NdisIoUnmapDouble);
  if (m->family != Family::NdisIo) return Report(RuleId::NdisIoUnmapOtherFamily);
  if (m->owner != Adapter_) return Report(RuleId::NdisIoUnmapOtherOwner);
  if (c == Class::Interior) return Report(RuleId::NdisIoUnmapInterior);
  if (m->length != Length) return Report(RuleId::NdisIoUnmapLengthMismatch);
  Release(m->id);
}

// ---------------------------------------------------------------------------
// WDM

u64 Model::MmMapIoSpace(u64 PhysicalAddress, u64 NumberOfBytes, u64 CacheType) {
  if (!Begin()) return 0;
  if (irql_ > kDispatchLevel) return Report(RuleId::MmIoMapIrql), 0;
  if (NumberOfBytes == 0) return Report(RuleId::MmIoZeroLength), 0;
  if (CacheType > kMmWriteCombined) return Report(RuleId::MmIoBadCacheType), 0;
  if (Overflows(PhysicalAddress, NumberOfBytes)) return 0;
  if (TouchesRam(PhysicalAddress, NumberOfBytes)) return Report(RuleId::MmIoMapRam), 0;
  const u32 cache = static_cast<u32>(CacheType);
  if (CacheConflict(PhysSpace::Memory, PhysicalAddress, NumberOfBytes, cache))
    return Report(RuleId::MmIoCacheConflict), 0;
  const u64 off = PhysicalAddress & kPageMask;
  const u64 extent = ExtentOf(off, NumberOfBytes);
  auto page = Allocate(Region::System, extent);
  if (!page) return 0;
  Mapping m{};
  m.base = *page + off;
  m.length = NumberOfBytes;
  m.access_length = NumberOfBytes;
  m.va_page = *page;
  m.extent = extent;
  m.family = Family::MmIo;
  // sem: a mapping made while IRP_MN_START_DEVICE of D runs belongs to D (for MM_IO.LEAK);
  // the mapping record says owner 0 (sem "Mapping records")
  m.owner = 0;
  m.leak_owner = callback_ == Callback::StartDevice ? callback_object_ : 0;
  m.region = Region::System;
  m.space = PhysSpace::Memory;
  m.phys = PhysicalAddress;
  m.cache = cache;
  m.writable = true;
  AddMapping(m);
  return m.base;
}

u64 Model::MmMapIoSpaceEx(u64 PhysicalAddress, u64 NumberOfBytes, u64 Protect) {
  if (!Begin()) return 0;
  if (irql_ > kDispatchLevel) return Report(RuleId::MmIoMapIrql), 0;
  if (NumberOfBytes == 0) return Report(RuleId::MmIoZeroLength), 0;
  {
    const u64 access_bits[] = {kPageReadOnly, kPageReadWrite, kPageExecute, kPageExecuteRead,
                               kPageExecuteReadWrite};
    int access_count = 0;
    for (u64 b : access_bits)
      if (Protect & b) ++access_count;
    int cache_count = 0;
    if (Protect & kPageNoCache) ++cache_count;
    if (Protect & kPageWriteCombine) ++cache_count;
    u64 known = kPageNoCache | kPageWriteCombine;
    for (u64 b : access_bits) known |= b;
    if (access_count != 1 || cache_count > 1 || (Protect & ~known) != 0)
      return Report(RuleId::MmIoBadProtect), 0;
  }
  if (Overflows(PhysicalAddress, NumberOfBytes)) return 0;
  if (TouchesRam(PhysicalAddress, NumberOfBytes)) return Report(RuleId::MmIoMapRam), 0;
  const u32 cache = (Protect & kPageNoCache)        ? kMmNonCached
                    : (Protect & kPageWriteCombine) ? kMmWriteCombined
                                                    : kMmCached;
  if (CacheConflict(PhysSpace::Memory, PhysicalAddress, NumberOfBytes, cache))
    return Report(RuleId::MmIoCacheConflict), 0;
  const u64 off = PhysicalAddress & kPageMask;
  const u64 extent = ExtentOf(off, NumberOfBytes);
  auto page = Allocate(Region::System, extent);
  if (!page) return 0;
  Mapping m{};
  m.base = *page + off;
  m.length = NumberOfBytes;
  m.access_length = NumberOfBytes;
  m.va_page = *page;
  m.extent = extent;
  m.family = Family::MmIo;
  // sem: a mapping made while IRP_MN_START_DEVICE of D runs belongs to D (for MM_IO.LEAK);
  // the mapping record says owner 0 (sem "Mapping records")
  m.owner = 0;
  m.leak_owner = callback_ == Callback::StartDevice ? callback_object_ : 0;
  m.region = Region::System;
  m.space = PhysSpace::Memory;
  m.phys = PhysicalAddress;
  m.cache = cache;
  m.writable = (Protect & (kPageReadWrite | kPageExecuteReadWrite)) != 0;
  AddMapping(m);
  return m.base;
}

void Model::MmUnmapIoSpace(u64 BaseAddress, u64 NumberOfBytes) {
  if (!Begin()) return;
  if (irql_ > kDispatchLevel) return Report(RuleId::MmIoUnmapIrql);
  if (irql_ == kDispatchLevel) Report(RuleId::MmIoUnmapIrqlVerifier);
  const Mapping* m = nullptr;
  const Class c = Classify(BaseAddress, &m);
  if (c == Class::Nothing) return Report(RuleId::MmIoUnmapNotMapped);
  // sem: a released mapping -> UNMAP_DOUBLE whatever family or owner it had
  if (c == Class::Released) return Report(RuleId::MmIoUnmapDouble);
  if (m->family != Family::MmIo) return Report(RuleId::MmIoUnmapOtherFamily);
  if (c == Class::Interior) return Report(RuleId::MmIoUnmapInterior);
  if (m->length != NumberOfBytes) return Report(RuleId::MmIoUnmapLengthMismatch);
  Release(m->id);
}

// ---------------------------------------------------------------------------
// UMDF

HResult Model::UmdfMapIoSpace(u64 This, u64 PhysicalAddress, u64 NumberOfBytes, u64 CacheType,
                              u64* pPseudoBaseAddress) {
  if (!Begin()) {
    if (pPseudoBaseAddress) *pPseudoBaseAddress = 0;
    return kEInvalidArg;
  }
  auto fail = [&](HResult h) {
    if (pPseudoBaseAddress) *pPseudoBaseAddress = 0;
    return h;
  };
  auto refuse = [&](RuleId r) {
    Report(r);
    return fail(kEInvalidArg);
  };
  UmdfDevice* d = FindUmdf(This);
  if (!d) return refuse(RuleId::UmdfIoBadDevice);
  if (d->version < 0x1000B || d->version >= 0x20000) return refuse(RuleId::UmdfIoVersion);
  if (!d->direct) return refuse(RuleId::UmdfIoDirectAccess);
  if (!pPseudoBaseAddress) return refuse(RuleId::CommonNullPointer);
  if (!(callback_ == Callback::OnPrepareHardware && callback_object_ == This))
    return refuse(RuleId::UmdfIoMapContext);
  if (PhysicalAddress == 0 || NumberOfBytes == 0 || CacheType > kMmWriteCombined)
    return refuse(RuleId::UmdfIoMapArgs);
  if (Overflows(PhysicalAddress, NumberOfBytes)) return refuse(RuleId::UmdfIoOutsideResource);
  const Resource* res = nullptr;
  for (const auto& r : resources_) {
    if (r.owner != This || r.space != PhysSpace::Memory) continue;
    if (PhysicalAddress >= r.start && PhysicalAddress - r.start <= r.length &&
        NumberOfBytes <= r.length - (PhysicalAddress - r.start)) {
      res = &r;
      break;
    }
  }
  if (!res) return refuse(RuleId::UmdfIoOutsideResource);
  for (const auto& m : live_)
    if (m.family == Family::UmdfIo && !m.user_view && m.owner == This &&
        Contains(res->start, res->length, m.phys))
      return refuse(RuleId::UmdfIoDuplicateMapping);
  const u32 cache = static_cast<u32>(CacheType);
  if (CacheConflict(PhysSpace::Memory, PhysicalAddress, NumberOfBytes, cache))
    return refuse(RuleId::MmIoCacheConflict);
  const u64 off = PhysicalAddress & kPageMask;
  const u64 extent = ExtentOf(off, NumberOfBytes);
  // reading: the pseudo range first, then the view; a failing view undoes the pseudo range
  const VaRegion pseudo_before = pseudo_;
  auto page = Allocate(Region::Pseudo, extent);
  if (!page) return fail(kEOutOfMemory);
  const bool want_view = d->mode == RegisterAccess::UsingUserModeMapping;
  std::optional<u64> view_page;
  if (want_view) {
    view_page = Allocate(Region::User, extent);
    if (!view_page) {
      pseudo_ = pseudo_before;
      return fail(kEOutOfMemory);
    }
  }
  Mapping m{};
  m.base = *page + off;
  m.length = NumberOfBytes;
  m.access_length = NumberOfBytes;
  m.va_page = *page;
  m.extent = extent;
  m.family = Family::UmdfIo;
  m.owner = This;
  m.region = Region::Pseudo;
  m.space = PhysSpace::Memory;
  m.phys = PhysicalAddress;
  m.cache = cache;
  m.writable = true;
  const u64 id = AddMapping(m);
  if (want_view) {
    Mapping v = m;
    v.base = *view_page + off;
    v.va_page = *view_page;
    v.region = Region::User;
    v.process = 0;  // the driver host
    v.user_view = true;
    const u64 vid = AddMapping(v);
    FindLive(id)->view_id = vid;
  }
  *pPseudoBaseAddress = m.base;
  return kSOk;
}

void Model::UmdfUnmapIoSpace(u64 This, u64 PseudoBaseAddress, u64 NumberOfBytes) {
  if (!Begin()) return;
  UmdfDevice* d = FindUmdf(This);
  if (!d) return Report(RuleId::UmdfIoBadDevice);
  if (d->version < 0x1000B || d->version >= 0x20000) return Report(RuleId::UmdfIoVersion);
  if (!((callback_ == Callback::OnReleaseHardware || callback_ == Callback::OnPrepareHardware) &&
        callback_object_ == This))
    return Report(RuleId::UmdfIoUnmapContext);
  const Mapping* m = nullptr;
  const Class c = Classify(PseudoBaseAddress, &m);
  if (c == Class::Nothing) return Report(RuleId::UmdfIoUnmapNotMapped);
  // sem: a released mapping -> UNMAP_DOUBLE whatever family or owner it had
  if (c == Class::Released) return Report(RuleId::UmdfIoUnmapDouble);
  if (m->family != Family::UmdfIo) return Report(RuleId::UmdfIoUnmapOtherFamily);
  if (m->owner != This) return Report(RuleId::UmdfIoUnmapOtherOwner);
  if (c == Class::Interior) return Report(RuleId::UmdfIoUnmapInterior);
  if (m->length != NumberOfBytes) return Report(RuleId::UmdfIoUnmapLengthMismatch);
  Release(m->id);
}

u64 Model::UmdfGetHardwareRegisterMappedAddress(u64 This, u64 PseudoBaseAddress) {
  if (!Begin()) return 0;
  UmdfDevice* d = FindUmdf(This);
  if (!d) return Report(RuleId::UmdfIoBadDevice), 0;
  if (d->version < 0x1000B || d->version >= 0x20000) return Report(RuleId::UmdfIoVersion), 0;
  if (d->mode == RegisterAccess::UsingUserModeMapping) {
    for (const auto& m : live_) {
      if (m.family != Family::UmdfIo || m.user_view || m.owner != This) continue;
      if (m.base != PseudoBaseAddress) continue;
      if (const Mapping* v = FindLive(m.view_id)) return v->base;
    }
  }
  Report(RuleId::UmdfIoNoUserMapping);
  return 0;
}

// ---------------------------------------------------------------------------
// NDIS files

namespace {
u64 NameHash(std::string_view name) {
  u64 h = 1469598103934665603ull;
  for (unsigned char c : name) h = (h ^ c) * 1099511628211ull;
  return h;
}
}  // namespace

NdisStatus Model::NdisOpenFile(NdisStatus* Status, u64* FileHandle, u32* FileLength,
                               std::optional<std::string_view> FileName,
                               u64 HighestAcceptableAddress) {
  if (!Begin()) {
    if (Status) *Status = kNdisStatusFailure;
    if (FileHandle) *FileHandle = 0;
    if (FileLength) *FileLength = 0;
    return kNdisStatusFailure;
  }
  auto fail = [&](NdisStatus s) {
    if (Status) *Status = s;
    if (FileHandle) *FileHandle = 0;
    if (FileLength) *FileLength = 0;
    return s;
  };
  auto refuse = [&](RuleId r) {
    Report(r);
    return fail(kNdisStatusFailure);
  };
  if (!Status || !FileHandle || !FileLength) return refuse(RuleId::CommonNullPointer);
  if (irql_ != kPassiveLevel) return refuse(RuleId::NdisFileIrql);
  if (callback_ != Callback::MiniportInitializeEx) return refuse(RuleId::NdisFileContext);
  if (!FileName) return refuse(RuleId::CommonNullPointer);
  const TableFile* t = FindTableFile(*FileName);
  if (!t) return fail(kNdisStatusFileNotFound);
  std::size_t open_count = 0;
  for (const auto& f : files_)
    if (f.open) ++open_count;
  if (open_count >= options_.max_open_files || HighestAcceptableAddress < 0xFFFFF)
    return fail(kNdisStatusResources);
  if (!t->readable) return fail(kNdisStatusErrorReadingFile);
  OpenFile f{};
  f.handle = MakeHandle(HandleKind::File, next_file_++);
  f.adapter = callback_object_;
  f.name_hash = NameHash(t->name);
  f.length = t->length;
  f.open = true;
  files_.push_back(f);
  *Status = kNdisStatusSuccess;
  *FileHandle = f.handle;
  *FileLength = f.length;
  return kNdisStatusSuccess;
}

NdisStatus Model::NdisMapFile(NdisStatus* Status, u64* MappedBuffer, u64 FileHandle) {
  if (!Begin()) {
    if (Status) *Status = kNdisStatusFailure;
    if (MappedBuffer) *MappedBuffer = 0;
    return kNdisStatusFailure;
  }
  auto fail = [&](NdisStatus s) {
    if (Status) *Status = s;
    if (MappedBuffer) *MappedBuffer = 0;
    return s;
  };
  auto refuse = [&](RuleId r) {
    Report(r);
    return fail(kNdisStatusFailure);
  };
  if (!Status || !MappedBuffer) return refuse(RuleId::CommonNullPointer);
  if (irql_ > kDispatchLevel) return refuse(RuleId::NdisFileIrql);
  OpenFile* f = FindFile(FileHandle);
  if (!f) {
    // sem handles: any serial below the next one that is not live is "already closed"
    if (HandleIs(FileHandle, HandleKind::File) && HandleSerial(FileHandle) < next_file_)
      return refuse(RuleId::NdisFileClosedHandle);
    return refuse(RuleId::NdisFileBadHandle);
  }
  if (!f->open) return refuse(RuleId::NdisFileClosedHandle);
  if (callback_ != Callback::MiniportInitializeEx) return refuse(RuleId::NdisFileContext);
  if (f->mapping_id) return fail(kNdisStatusAlreadyMapped);
  const u64 extent = ExtentOf(0, f->length);
  auto page = Allocate(Region::System, extent);
  if (!page) return fail(kNdisStatusResources);  // reading: not in the doc
  Mapping m{};
  m.base = *page;
  m.length = f->length;
  m.access_length = f->length;
  m.va_page = *page;
  m.extent = extent;
  m.family = Family::NdisFile;
  m.owner = f->handle;
  m.region = Region::System;
  m.space = PhysSpace::Memory;
  m.phys = 0;
  m.cache = kMmCached;  // sem "Mapping records": MmCached, never checked
  m.writable = true;
  m.is_file = true;
  f->mapping_id = AddMapping(m);
  *Status = kNdisStatusSuccess;
  *MappedBuffer = m.base;
  return kNdisStatusSuccess;
}

void Model::NdisUnmapFile(u64 FileHandle) {
  if (!Begin()) return;
  if (irql_ != kPassiveLevel) return Report(RuleId::NdisFileIrql);
  OpenFile* f = FindFile(FileHandle);
  if (!f || !f->open) {
    if (HandleIs(FileHandle, HandleKind::File) && HandleSerial(FileHandle) < next_file_)
      return Report(RuleId::NdisFileClosedHandle);
    return Report(RuleId::NdisFileBadHandle);
  }
  if (!f->mapping_id) return Report(RuleId::NdisFileUnmapNotMapped);
  Release(f->mapping_id);
  f->mapping_id = 0;
}

void Model::NdisCloseFile(u64 FileHandle) {
  if (!Begin()) return;
  if (irql_ != kPassiveLevel) return Report(RuleId::NdisFileIrql);
  OpenFile* f = FindFile(FileHandle);
  if (!f || !f->open) {
    if (HandleIs(FileHandle, HandleKind::File) && HandleSerial(FileHandle) < next_file_)
      return Report(RuleId::NdisFileClosedHandle);
    return Report(RuleId::NdisFileBadHandle);
  }
  if (f->mapping_id) Report(RuleId::NdisFileCloseWhileMapped);
  CloseFileNow(*f);
}

// ---------------------------------------------------------------------------
// video

VpStatus Model::VideoPortMapMemory(u64 Dev, u64 PhysicalAddress, u32* Length, u32* InIoSpace,
                                   u64* VirtualAddress) {
  if (!Begin()) {
    if (VirtualAddress) *VirtualAddress = 0;
    return kErrorInvalidParameter;
  }
  // reading: every failure (refusal or documented status) writes NULL to *VirtualAddress
  auto fail = [&]() {
    if (VirtualAddress) *VirtualAddress = 0;
    return kErrorInvalidParameter;
  };
  auto refuse = [&](RuleId r) {
    Report(r);
    return fail();
  };
  if (!FindVideo(Dev)) return refuse(RuleId::VideoBadDevice);
  if (!Length || !InIoSpace || !VirtualAddress) return refuse(RuleId::CommonNullPointer);
  if (irql_ != kPassiveLevel) return refuse(RuleId::VideoIrql);
  const u32 flags = *InIoSpace;
  const u64 process_in = *VirtualAddress;
  const u32 len = *Length;
  if (flags > 0xF) return fail();
  const bool io = (flags & kVideoMemorySpaceIo) != 0;
  const bool user = (flags & kVideoMemorySpaceUserMode) != 0;
  const bool p6 = (flags & kVideoMemorySpaceP6Cache) != 0;
  if (io && (user || p6)) return fail();
  if (process_in != 0) {
    Process* p = FindProcess(process_in);
    if (!p || !p->live) return fail();
  }
  if (user && process_in == 0) return fail();
  if (len == 0) return fail();
  if (Overflows(PhysicalAddress, len)) return fail();
  const PhysSpace space = io ? PhysSpace::Port : PhysSpace::Memory;
  // reading: RAM is memory space; an I/O-port range never touches it
  if (space == PhysSpace::Memory && TouchesRam(PhysicalAddress, len))
    return refuse(RuleId::VideoMapRam);
  if (!InsideOneResource(Dev, space, PhysicalAddress, len)) return fail();
  const u32 cache = p6 ? kMmWriteCombined : kMmNonCached;
  if (CacheConflict(space, PhysicalAddress, len, cache)) return refuse(RuleId::VideoP6CacheConflict);
  const u64 off = PhysicalAddress & kPageMask;
  const u64 extent = ExtentOf(off, len);
  // sem "Mapping records": User region if a process handle was given, else System
  const Region region = process_in != 0 ? Region::User : Region::System;
  auto page = Allocate(region, extent);
  if (!page) return fail();
  Mapping m{};
  m.base = *page + off;
  m.length = len;  // sem "Mapping records": *Length in
  m.access_length = len;
  m.va_page = *page;
  m.extent = extent;
  m.family = Family::Video;
  m.owner = Dev;
  m.process = process_in;
  m.region = region;
  m.space = space;
  m.phys = PhysicalAddress;
  m.cache = cache;
  m.writable = true;
  AddMapping(m);
  *VirtualAddress = m.base;
  // decided (docs/semantics.md, Smaller decisions, VideoPortMapMemory): a rounded length beyond 32 bits saturates
  const u64 rounded = extent - off;
  *Length = rounded > 0xFFFFFFFFull ? 0xFFFFFFFFu : static_cast<u32>(rounded);
  return kNoError;
}

VpStatus Model::VideoPortUnmapMemory(u64 Dev, u64 VirtualAddress, u64 ProcessHandle) {
  if (!Begin()) return kErrorInvalidParameter;
  auto refuse = [&](RuleId r) {
    Report(r);
    return kErrorInvalidParameter;
  };
  if (!FindVideo(Dev)) return refuse(RuleId::VideoBadDevice);
  if (irql_ != kPassiveLevel) return refuse(RuleId::VideoIrql);
  const Mapping* m = nullptr;
  const Class c = Classify(VirtualAddress, &m);
  if (c == Class::Nothing) return refuse(RuleId::VideoUnmapNotMapped);
  if (c == Class::Released) return refuse(RuleId::VideoUnmapDouble);
  if (m->family != Family::Video) return refuse(RuleId::VideoUnmapOtherFamily);
  if (m->owner != Dev) return refuse(RuleId::VideoUnmapOtherOwner);
  if (ProcessHandle != 0 && ProcessHandle != m->process)
    return refuse(RuleId::VideoUnmapWrongProcess);
  Release(m->id);
  return kNoError;
}

// ---------------------------------------------------------------------------
// access

u8 Model::DeviceByteAt(PhysSpace space, u64 addr) const {
  for (const auto& b : device_memory_)
    if (b.space == space && b.addr == addr) return b.value;
  return 0;
}

void Model::SetDeviceByte(PhysSpace space, u64 addr, u8 value) {
  for (auto& b : device_memory_)
    if (b.space == space && b.addr == addr) {
      b.value = value;
      return;
    }
  device_memory_.push_back({space, addr, value});
}

u64 Model::LoadBytes(const Mapping& m, u64 address, unsigned width) const {
  u64 v = 0;
  for (unsigned i = 0; i < width; ++i) {
    const u64 off = address - m.base + i;
    u8 byte = 0;
    if (m.is_file) {
      const OpenFile* f = nullptr;
      for (const auto& x : files_)
        if (x.handle == m.owner) f = &x;
      if (f) {
        byte = static_cast<u8>((f->name_hash >> 8) + off * 131 + (off >> 8));
        for (const auto& w : f->written)
          if (w.offset == off) byte = w.value;
      }
    } else {
      byte = DeviceByteAt(m.space, m.phys + off);
    }
    v |= static_cast<u64>(byte) << (8 * i);
  }
  return v;
}

void Model::StoreBytes(const Mapping& m, u64 address, unsigned width, u64 value) {
  for (unsigned i = 0; i < width; ++i) {
    const u64 off = address - m.base + i;
    const u8 byte = static_cast<u8>(value >> (8 * i));
    if (m.is_file) {
      OpenFile* f = FindFile(m.owner);
      if (!f) continue;
      bool done = false;
      for (auto& w : f->written)
        if (w.offset == off) {
          w.value = byte;
          done = true;
        }
      if (!done) f->written.push_back({static_cast<u32>(off), byte});
    } else {
      SetDeviceByte(m.space, m.phys + off, byte);
    }
  }
}

bool Model::AccessCheck(u64 a, unsigned width, bool write, const Mapping** found) {
  *found = nullptr;
  for (const auto& m : live_) {
    if (a >= m.base && a - m.base <= m.access_length && width <= m.access_length - (a - m.base)) {
      *found = &m;
      break;
    }
  }
  if (!*found) {
    // sem ACCESS: the address itself is looked up
    for (const auto& m : live_)
      if (Contains(m.va_page, m.extent + kPageSize, a)) return Report(RuleId::AccessOutOfBounds), false;
    // sem ACCESS: a quarantined mapping's extent or guard page
    for (const auto& m : quarantine_)
      if (Contains(m.va_page, m.extent + kPageSize, a))
        return Report(RuleId::AccessUseAfterUnmap), false;
    return Report(RuleId::AccessUnmapped), false;
  }
  const Mapping& m = **found;
  if (m.region == Region::Pseudo) return Report(RuleId::AccessPseudoDeref), false;
  if (m.region == Region::User && m.process != 0 && current_process_ != m.process)
    return Report(RuleId::AccessWrongProcess), false;
  if (write && !m.writable) return Report(RuleId::AccessReadOnly), false;
  return true;
}

bool Model::AccessCheckUmdf(u64 This, u64 a, unsigned width, const Mapping** found) {
  // sem UMDF register helpers: in no mapping -> UNMAPPED, in a quarantined one ->
  // USE_AFTER_UNMAP; in (or in the guard page of) a live mapping that is not a pseudo mapping
  // of this device -> UNMAPPED whatever the bounds; then the bounds (OUT_OF_BOUNDS). Live and
  // quarantined extents never overlap, so the order of the scans below does not matter.
  *found = nullptr;
  auto own = [&](const Mapping& m) {
    return m.family == Family::UmdfIo && !m.user_view && m.owner == This;
  };
  for (const auto& m : live_)
    if (own(m) && a >= m.base && a - m.base <= m.access_length &&
        width <= m.access_length - (a - m.base)) {
      *found = &m;
      return true;
    }
  for (const auto& m : live_)
    if (own(m) && Contains(m.va_page, m.extent + kPageSize, a))
      return Report(RuleId::AccessOutOfBounds), false;
  for (const auto& m : live_)
    if (Contains(m.va_page, m.extent + kPageSize, a)) return Report(RuleId::AccessUnmapped), false;
  for (const auto& m : quarantine_)
    if (Contains(m.va_page, m.extent + kPageSize, a))
      return Report(RuleId::AccessUseAfterUnmap), false;
  return Report(RuleId::AccessUnmapped), false;
}

namespace {
bool ValidWidth(unsigned w) { return w == 1 || w == 2 || w == 4 || w == 8; }
}  // namespace

u64 Model::Read(u64 address, unsigned width) {
  if (!Begin()) return 0;
  if (!ValidWidth(width)) return 0;  // reading: not a register width, ignored
  const Mapping* m = nullptr;
  if (!AccessCheck(address, width, false, &m)) return 0;
  return LoadBytes(*m, address, width);
}

void Model::Write(u64 address, unsigned width, u64 value) {
  if (!Begin()) return;
  if (!ValidWidth(width)) return;
  const Mapping* m = nullptr;
  if (!AccessCheck(address, width, true, &m)) return;
  const Mapping copy = *m;
  StoreBytes(copy, address, width, value);
}

u64 Model::UmdfReadRegister(u64 This, u64 address, unsigned width) {
  if (!Begin()) return 0;
  if (!ValidWidth(width)) return 0;  // decided (docs/semantics.md, Smaller decisions, access width): before any check
  if (!FindUmdf(This)) return Report(RuleId::UmdfIoBadDevice), 0;
  const Mapping* m = nullptr;
  if (!AccessCheckUmdf(This, address, width, &m)) return 0;
  return LoadBytes(*m, address, width);
}

void Model::UmdfWriteRegister(u64 This, u64 address, unsigned width, u64 value) {
  if (!Begin()) return;
  if (!ValidWidth(width)) return;
  if (!FindUmdf(This)) return Report(RuleId::UmdfIoBadDevice);
  const Mapping* m = nullptr;
  if (!AccessCheckUmdf(This, address, width, &m)) return;
  const Mapping copy = *m;
  StoreBytes(copy, address, width, value);
}

// ---------------------------------------------------------------------------
// teardown (sem "Teardown order")

void Model::Teardown() {
  if (torn_down_) return;
  // leave the running callback, as succeeded
  if (callback_ != Callback::None) {
    const u64 saved = seq_;
    LeaveCallback(true);
    seq_ = saved;
  }
  // halt running adapters
  for (auto& a : adapters_)
    if (a.state == AdapterState::Running) {
      LeakMappings(Family::NdisIo, a.handle, RuleId::NdisIoLeak);
      a.state = AdapterState::Halted;
    }
  // report files still open and not reported yet, then close every file silently
  for (auto& f : files_)
    if (f.open && !f.leak_reported) {
      Report(RuleId::NdisFileLeak);
      f.leak_reported = true;
    }
  for (auto& f : files_)
    if (f.open) CloseFileNow(f);
  // remove WDM devices, then driver-wide MM mappings
  for (auto& d : wdm_) {
    LeakMappings(Family::MmIo, d.handle, RuleId::MmIoLeak);
    d.state = WdmState::Removed;
  }
  LeakMappings(Family::MmIo, 0, RuleId::MmIoLeak);
  // release UMDF hardware
  for (auto& d : umdf_) {
    LeakMappings(Family::UmdfIo, d.handle, RuleId::UmdfIoLeak);
    d.state = UmdfState::Created;
  }
  // remove video devices
  for (auto& d : video_) LeakMappings(Family::Video, d.handle, RuleId::VideoLeak);
  // end processes
  for (auto& p : processes_) p.live = false;
  current_process_ = 0;
  // anything still live (should be nothing) goes too, then the quarantine and device memory
  if (!live_.empty()) ++mapping_changes_;
  live_.clear();
  quarantine_.clear();
  device_memory_.clear();
  torn_down_ = true;
}

}  // namespace ddimap::oracle
