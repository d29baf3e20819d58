// The machine's private state, shared by the family implementations.
#pragma once

#include <array>
#include <bitset>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "ddimap/machine.hpp"
#include "machine/address_space.hpp"
#include "containers/name_table.hpp"
#include "machine/phys_memory.hpp"

namespace ddimap {

class JsonWriter;

struct ResourceRange {
  u64 owner;  // the device's handle
  PhysSpace space;
  u64 start;
  u64 length;
};

struct Device {
  std::size_t live_mappings = 0;  // mappings owned by this device
};

enum class AdapterState : u8 { Created, Initializing, Running, Halting, Halted };
struct Adapter : Device {
  AdapterState state = AdapterState::Created;
};

enum class PnpState : u8 { Added, Started, Stopped, SurpriseRemoved, Removed };
struct WdmDevice : Device {
  PnpState state = PnpState::Added;
  // KMDF: from entering EvtDevicePrepareHardware until EvtDeviceReleaseHardware
  // returns (a failed prepare included: the framework still calls release).
  // Independent of the PnP state: a KMDF driver never sees the IRPs.
  bool hardware_prepared = false;
};

struct UmdfDevice : Device {
  u32 version = 0;
  bool direct_access = false;
  RegisterAccess mode = RegisterAccess::UsingSystemCall;
  bool prepared = false;
  std::map<u64, u64> mapped;  // resource start -> va_page of its live mapping
};

struct VideoDevice : Device {};

// A VideoPortGetDeviceBase of I/O space: on x64 the base is the port number
// itself, so no virtual range is reserved; the record is what
// VideoPortFreeDeviceBase matches and what a leak names.
struct IoBase {
  u64 device;
  u64 port;    // the returned base
  u64 length;  // NumberOfUchars
  CallRecord created;
  CallRecord released;  // while remembered after VideoPortFreeDeviceBase
};

struct FileEntry {  // the simulated file table
  std::string name;
  u32 length;
  bool readable;
  // What NdisOpenFile reads, made once by AddFile and shared by every copy of
  // the machine: filling 5000 bytes at each open was most of a fuzz input's
  // NdisOpenFile.
  std::shared_ptr<const std::vector<u8>> content;
};

struct OpenFile {
  u64 adapter;            // the adapter whose MiniportInitializeEx opened it
  std::size_t entry;      // index into the file table
  // The buffer NdisOpenFile filled: the file's content, shared with the file
  // table until the driver first writes to it, then a private copy.
  std::shared_ptr<const std::vector<u8>> content;
  std::vector<u8> written;  // the private copy (empty until the first write)
  u64 mapped_va = 0;      // va_page of the outstanding NdisMapFile mapping
  bool leak_reported = false;  // NDIS_FILE.LEAK already filed; the file stays open
  CallRecord opened;

  std::size_t size() const { return content->size(); }
  u8 Byte(std::size_t i) const { return written.empty() ? (*content)[i] : written[i]; }
  void SetByte(std::size_t i, u8 b) {
    if (written.empty()) written = *content;
    written[i] = b;
  }
};

struct Process {
  CallRecord created;
};

// An NdisMRegisterIoPortRange registration (PortOffset = initial on x64).
struct PortRange {
  u64 adapter = 0;
  u64 initial = 0;
  u32 count = 0;
  CallRecord created;
  CallRecord released;  // set when it is deregistered (or leaks)
  bool Holds(u64 port, u64 width) const { return port >= initial && width <= count && port - initial <= count - width; }
};

// A closed file or exited process, kept briefly for the "released by" line.
struct Tombstone {
  u64 handle;
  CallRecord created;
  CallRecord released;
};

struct Machine::State {
  explicit State(MachineOptions o);

  MachineOptions opt;
  u8 irql = kPassiveLevel;
  Callback cb = Callback::None;
  u64 cb_object = 0;
  u64 cur_process = 0;
  u64 seq = 0;
  CallRecord cur;  // the call being executed
  bool torn_down = false;

  // Fault injection (families/faults.cpp).
  u64 fault_state = 0;          // the Random generator (splitmix64)
  u64 call_site = 0;            // set by SetCallSite for the call numbered call_site_seq
  u64 call_site_seq = 0;
  std::vector<u64> fault_sites; // Systematic: (call, site) keys failed already, sorted
  u64 fault_asked = 0;          // the seq of the last call that asked (one answer per call)
  FaultDecider fault_decider = nullptr;  // Decided
  void* fault_decider_context = nullptr;
  std::vector<CallRecord> injected_calls;  // every injected failure, in call order
  const CallRecord* InjectedCall(u64 seq) const;

  PhysMemory phys;
  RegionAllocator regions[3];  // indexed by Region
  MappingIndex maps;
  std::size_t driver_mm_mappings = 0;  // MM mappings made outside a start IRP

  // Every device's resources in one vector (in assignment order): copying the
  // world then allocates once for all of them.
  std::vector<ResourceRange> resources;
  std::vector<Adapter> adapters;
  std::vector<WdmDevice> wdm;
  std::vector<UmdfDevice> umdf;
  std::vector<VideoDevice> video;
  std::vector<IoBase> io_bases;           // live I/O-space device bases, oldest first
  std::vector<IoBase> released_io_bases;  // freed ones, oldest first, at most quarantine_capacity
  std::vector<FileEntry> file_table;
  std::unordered_map<u64, OpenFile> files;  // by serial
  u64 next_file = 1;
  std::unordered_map<u64, Process> processes;  // by serial
  u64 next_process = 1;
  Ring<Tombstone> tombstones;  // bounded like the quarantine
  std::vector<PortRange> ports;       // live registrations, oldest first
  Ring<PortRange> released_ports;     // the last quarantine_capacity released, oldest first

  NameTable names;  // interned file names, for call records

  std::vector<Report> reports;
  std::size_t total_reports = 0;
  std::array<std::size_t, kRuleCount> counts{};
  std::bitset<kRuleCount> suppressed;

  // --- calls ---
  // Starts a call: fills `cur` and returns false when the machine is torn down.
  bool Begin(CallId id, std::initializer_list<u64> args, u8 null_mask = 0) {
    // Inline: every DDI starts here, and the argument count is then a constant.
    if (torn_down) return false;
    cur.seq = ++seq;
    cur.id = id;
    cur.irql = irql;
    cur.callback = cb;
    cur.callback_object = cb_object;
    cur.null_mask = null_mask;
    std::size_t i = 0;
    for (u64 a : args) cur.args[i++] = a;
    for (; i < cur.args.size(); ++i) cur.args[i] = 0;
    return true;
  }

  // --- reports ---
  // Files a report of `rule` about the current call; `m` adds the calls that
  // created and released the mapping involved. Policy and suppression apply.
  // `evidence` is a callable returning the text (std::string or a literal); it
  // runs only when the text is wanted (MachineOptions::evidence, or printing),
  // since building it was the largest cost of a refused call in a fuzz run.
  template <typename Evidence>
  void Violation(RuleId rule, Evidence&& evidence, const Mapping* m = nullptr) {
    if (m == nullptr) return ViolationWithRecords(rule, evidence, nullptr, nullptr);
    ViolationWithRecords(rule, evidence, &m->created, m->is_released ? &m->released : nullptr);
  }
  template <typename Evidence>
  void ViolationWithRecords(RuleId rule, Evidence&& evidence, const CallRecord* created,
                            const CallRecord* released) {
    if (suppressed.test(static_cast<std::size_t>(rule))) return;
    const bool text = opt.evidence || opt.print_reports || opt.policy == Policy::Abort;
    File(rule, text ? std::string(evidence()) : std::string(), created, released);
  }
  // Counts, records and (by policy) prints or aborts on an unsuppressed report.
  void File(RuleId rule, std::string evidence, const CallRecord* created, const CallRecord* released);

  // --- objects ---
  Adapter* FindAdapter(u64 h);
  WdmDevice* FindWdm(u64 h);
  UmdfDevice* FindUmdf(u64 h);
  VideoDevice* FindVideo(u64 h);
  Device* FindDevice(u64 h);
  Process* FindProcess(u64 h);
  // Whether [start, start+length) in `space` overlaps any device's resource.
  bool ResourceOverlaps(PhysSpace space, u64 start, u64 length) const;
  OpenFile* FindFile(u64 h);
  const Tombstone* FindTombstone(u64 h) const;
  void Bury(u64 handle, const CallRecord& created);
  u64 Intern(std::string_view name) { return names.Intern(name); }

  // --- mappings ---
  std::optional<u64> Reserve(Region r, u64 extent);  // extent + guard page
  // Creates the record of mapping `v` with the current call as its creator
  // and counts it against its owner; a family's own fields (file, flags...)
  // are the caller's to set on the result.
  Mapping& AddMapping(const MappingView& v, u64 start_device = 0, u64 parent_va = 0);
  // Releases a live mapping (and its UMDF view), with the current call as
  // releaser; by va_page, or by the record a lookup returned (no search).
  void ReleaseMapping(u64 va_page) {
    if (Mapping* m = maps.FindLive(va_page)) ReleaseMappingBy(*m, cur);
  }
  void ReleaseMapping(Mapping& live) { ReleaseMappingBy(live, cur); }
  void ReleaseMappingBy(Mapping& live, const CallRecord& by, bool quarantine = true);
  // Undoes a mapping the driver never received: freed at once, not quarantined.
  void DiscardMapping(u64 va_page) {
    if (Mapping* m = maps.FindLive(va_page)) ReleaseMappingBy(*m, cur, false);
  }
  void FreeExtent(const Mapping& m);
  // The live-mapping counter of the mapping's owner (device or driver-wide).
  std::size_t* OwnerCount(const Mapping& m);
  // Reports `rule` for every live mapping matching `pred` (in address order),
  // as found when `when` happens, then releases each.
  template <typename Pred>
  void LeakMappings(RuleId rule, Pred pred, std::string_view when);

  // "another family's", "released", "interior"...: the address part of an
  // unmap's evidence.
  std::string DescribeAddress(u64 address, const AddressLookup& l) const;

  std::string FormatArg(const CallRecord& c, int i) const;
  std::string FormatCall(const CallRecord& c) const;
  std::string FormatReport(const Report& r) const;
  std::string FormatReportJson(const Report& r) const;
  void WriteCallJson(JsonWriter& w, const CallRecord& c) const;
};

// Helpers for evidence text.
std::string Hex(u64 v);
// Writes one printed report where MachineOptions::log_path says (log.cpp) and
// flushes it: before an abort() it must be out.
void WriteReportLog(const std::string& log_path, std::string_view text);

template <typename Pred>
void Machine::State::LeakMappings(RuleId rule, Pred pred, std::string_view when) {
  std::vector<u64> leaked;
  for (const auto& [k, m] : maps.live())
    if (m.parent_va == 0 && pred(m)) leaked.push_back(k);
  for (u64 k : leaked) {
    const Mapping* m = maps.FindLive(k);
    Violation(rule, [&] {
      return std::string(FamilyName(m->v.family)) + " mapping [" + Hex(m->v.base) + ", " +
             Hex(m->v.base + m->v.length) + ") is still live when " + std::string(when);
    }, m);
    ReleaseMapping(k);
  }
}

}  // namespace ddimap
