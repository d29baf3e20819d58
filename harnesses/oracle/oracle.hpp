// The ddimap oracle: an independent reference model of the simulated machine,
// written from docs/semantics.md, docs/contracts.md and core/rules/rules.def only.
//
// It shares no logic with the core (it includes nothing but the vocabulary
// headers) and is written as simply as possible: plain std::vector and linear
// scans everywhere. Fuzz harnesses run every call on the core and on a Model
// and compare statuses, returned addresses, out-values, rules (with the calls
// each report names) and the live mappings after every call.
//
// The definitions follow core/families/: one file per family (ndis_io.cpp,
// mm_io.cpp, umdf_io.cpp, ndis_file.cpp, video.cpp, access.cpp), building.cpp
// and lifecycle.cpp (callbacks, processes, teardown), mappings.cpp (the address
// space and the mapping bookkeeping every family shares) and model.cpp
// (construction and observation). Every decision cites docs/semantics.md
// ("sem"), docs/contracts.md ("contracts") or rules.def; where the doc is
// open, the comment says "reading:" and names the choice made.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ddimap/machine.hpp"  // MachineOptions, ControlStatus, MappingView (types only)
#include "ddimap/rules.hpp"
#include "ddimap/types.hpp"

namespace ddimap::oracle {

// The rule's catalogue name and refusal bit, from the oracle's own expansion
// of rules.def (the core's tables are not used).
std::string_view OracleRuleName(RuleId id);
bool OracleRuleRefuses(RuleId id);

// One report as the oracle files it: its rule and the calls it names (docs/semantics.md,
// "Report format"): the call that created the object involved (a mapping, an NDIS file) and the
// call that released it, by call number (0: the teardown). The Driver Verifier bug check is the
// rule's own (rules.def), so the rule decides it.
struct Evidence {
  RuleId rule{};
  bool has_created = false;
  bool has_released = false;
  u64 created = 0;
  u64 released = 0;

  bool operator==(const Evidence&) const = default;
};

class Model {
 public:
  explicit Model(MachineOptions options = {});

  // --- building ---------------------------------------------------------------
  ControlStatus AddRam(u64 physical_address, u64 length);
  u64 CreateNdisAdapter();
  u64 CreateWdmDevice();
  u64 CreateUmdfDevice(u32 version, bool allow_direct_hardware_access, RegisterAccess mode);
  u64 CreateVideoDevice();
  ControlStatus AssignResource(u64 object, PhysSpace space, u64 start, u64 length);
  ControlStatus AddFile(std::optional<std::string_view> name, u32 length, bool readable);

  // --- lifecycle --------------------------------------------------------------
  ControlStatus SetIrql(u64 irql);
  u64 CreateProcess();
  ControlStatus ExitProcess(u64 process);
  ControlStatus AttachProcess(u64 process);
  ControlStatus EnterCallback(Callback callback, u64 object);
  ControlStatus LeaveCallback(bool succeeded);

  // --- NDIS I/O -----------------------------------------------------------------
  NdisStatus NdisMMapIoSpace(u64* VirtualAddress, u64 MiniportAdapterHandle,
                             u64 PhysicalAddress, u32 Length);
  void NdisMUnmapIoSpace(u64 MiniportAdapterHandle, u64 VirtualAddress, u32 Length);

  // --- NDIS I/O port ranges (ports.cpp) --------------------------------------------
  NdisStatus NdisMRegisterIoPortRange(u64* PortOffset, u64 MiniportAdapterHandle, u64 InitialPort,
                                      u32 NumberOfPorts);
  void NdisMDeregisterIoPortRange(u64 MiniportAdapterHandle, u64 InitialPort, u32 NumberOfPorts,
                                  u64 PortOffset);

  // --- WDM ------------------------------------------------------------------------
  u64 MmMapIoSpace(u64 PhysicalAddress, u64 NumberOfBytes, u64 CacheType);
  u64 MmMapIoSpaceEx(u64 PhysicalAddress, u64 NumberOfBytes, u64 Protect);
  void MmUnmapIoSpace(u64 BaseAddress, u64 NumberOfBytes);

  // --- UMDF -----------------------------------------------------------------------
  HResult UmdfMapIoSpace(u64 This, u64 PhysicalAddress, u64 NumberOfBytes, u64 CacheType,
                         u64* pPseudoBaseAddress);
  void UmdfUnmapIoSpace(u64 This, u64 PseudoBaseAddress, u64 NumberOfBytes);
  u64 UmdfGetHardwareRegisterMappedAddress(u64 This, u64 PseudoBaseAddress);

  // --- NDIS files -------------------------------------------------------------------
  NdisStatus NdisOpenFile(NdisStatus* Status, u64* FileHandle, u32* FileLength,
                          std::optional<std::string_view> FileName,
                          u64 HighestAcceptableAddress);
  NdisStatus NdisMapFile(NdisStatus* Status, u64* MappedBuffer, u64 FileHandle);
  void NdisUnmapFile(u64 FileHandle);
  void NdisCloseFile(u64 FileHandle);

  // --- video ------------------------------------------------------------------------
  VpStatus VideoPortMapMemory(u64 HwDeviceExtension, u64 PhysicalAddress, u32* Length,
                              u32* InIoSpace, u64* VirtualAddress);
  VpStatus VideoPortUnmapMemory(u64 HwDeviceExtension, u64 VirtualAddress, u64 ProcessHandle);

  // --- PAGED_CODE and the resource queries ----------------------------------------------
  void PagedCode();
  u64 WdfCmResourceListGetCount(u64 List);
  u64 WdfCmResourceListGetDescriptor(u64 List, u64 Index);
  NdisStatus NdisMQueryAdapterResources(NdisStatus* Status, u64 WrapperConfigurationContext,
                                        u32* ResourceList, u32* BufferSize);
  VpStatus VideoPortGetAccessRanges(u64 HwDeviceExtension, u32 NumRequestedResources, bool RequestedResources,
                                    u32 NumAccessRanges, u32* AccessRanges, bool VendorId, bool DeviceId,
                                    u32* Slot);

  // --- video device base ----------------------------------------------------------------
  u64 VideoPortGetDeviceBase(u64 HwDeviceExtension, u64 IoAddress, u32 NumberOfUchars, u32 InIoSpace);
  void VideoPortFreeDeviceBase(u64 HwDeviceExtension, u64 MappedAddress);

  // --- NDIS shared memory ------------------------------------------------------------------
  void NdisMAllocateSharedMemory(u64 MiniportAdapterHandle, u32 Length, bool Cached, u64* VirtualAddress,
                                 u64* PhysicalAddress);
  void NdisMFreeSharedMemory(u64 MiniportAdapterHandle, u32 Length, bool Cached, u64 VirtualAddress,
                             u64 PhysicalAddress);

  // --- access -------------------------------------------------------------------------
  u64 Read(u64 address, unsigned width);
  void Write(u64 address, unsigned width, u64 value);
  u64 UmdfReadRegister(u64 This, u64 address, unsigned width);
  void UmdfWriteRegister(u64 This, u64 address, unsigned width, u64 value);

  // --- port I/O (ports.cpp): `call` is a DDIMAP_PORT row of the call table ------------
  u64 ReadPort(CallId call, u64 port);
  void WritePort(CallId call, u64 port, u64 value);
  void ReadPortBuffer(CallId call, u64 port, void* buffer, u32 count);
  void WritePortBuffer(CallId call, u64 port, const void* buffer, u32 count);

  void Teardown();
  bool torn_down() const { return torn_down_; }

  // --- observation ----------------------------------------------------------------------
  std::vector<RuleId> TakeRules();
  // The same into a buffer the caller reuses (the runner asks after every call).
  void TakeRules(std::vector<RuleId>* out);
  // The reports filed since the last take, with what each names besides its rule (the runner
  // asks after every call; both buffers keep their capacity).
  void TakeReports(std::vector<Evidence>* out);
  std::vector<MappingView> LiveMappings() const;
  // The i-th of LiveMappings() (i < live_mapping_count()), without building them all.
  MappingView LiveMapping(std::size_t i) const;
  std::size_t live_mapping_count() const { return live_.size(); }
  // Released mappings still remembered (Machine::quarantined_count).
  std::size_t quarantined_count() const { return quarantine_.size(); }
  // Mappings created plus mappings released so far (Machine::mapping_changes).
  u64 mapping_changes() const { return mapping_changes_; }
  u8 irql() const { return irql_; }
  Callback callback() const { return callback_; }
  u64 callback_object() const { return callback_object_; }
  u64 current_process() const { return current_process_; }
  u64 call_count() const { return seq_; }
  // Call numbers restart at 1 with the next call (docs/semantics.md).
  void StartProgram() { seq_ = 0; }

  // One line per live mapping, for failure messages.
  std::string Describe() const;

 private:
  enum class AdapterState : u8 { Created, Initializing, Running, Halting, Halted };
  enum class WdmState : u8 { Added, Started, Stopped, SurpriseRemoved, Removed };
  enum class UmdfState : u8 { Created, Prepared };

  struct Range { u64 start; u64 length; };
  struct Resource { u64 owner; PhysSpace space; u64 start; u64 length; };
  struct Adapter { u64 handle; AdapterState state; };
  // kmdf_prepared: sem "KMDF hardware callbacks": from entering EvtDevicePrepareHardware until
  // EvtDeviceReleaseHardware returns, whatever the PnP state says
  struct WdmDevice { u64 handle; WdmState state; bool kmdf_prepared = false; };
  struct UmdfDevice { u64 handle; u32 version; bool direct; RegisterAccess mode; UmdfState state; };
  struct VideoDevice { u64 handle; };
  struct Process { u64 handle; bool live; };
  struct TableFile { std::string name; u32 length; bool readable; };
  struct FileByte { u32 offset; u8 value; };
  struct OpenFile {
    u64 handle;
    u64 adapter;
    u64 name_hash;
    u32 length;
    bool open;
    u64 mapping_id;                // 0: not mapped
    bool leak_reported;            // NDIS_FILE.LEAK already reported (at most once per file)
    u64 opened_seq;                // the NdisOpenFile call
    u64 closed_seq;                // the call that closed it (when !open)
    std::vector<FileByte> written;  // this open's private changes
  };
  struct DeviceByte { PhysSpace space; u64 addr; u8 value; };
  // Every field starts at zero: a family names only what it decides (see Place).
  struct Mapping {
    u64 id = 0;
    u64 base = 0, length = 0, access_length = 0, va_page = 0, extent = 0;
    Family family{};
    u64 owner = 0, process = 0;
    Region region{};
    PhysSpace space{};
    u64 phys = 0;
    u32 cache = 0;
    bool readable = false;
    bool writable = false;
    bool user_view = false;
    bool is_file = false;
    u64 created_seq = 0;
    bool released = false;  // in the quarantine
    u64 released_seq = 0;
    u64 view_id = 0;     // UMDF pseudo mapping: its user-mode view (0: none)
    u64 leak_owner = 0;  // whose leak it is: owner, or for MM the WDM device it was started with (0: driver)
    bool cached = false;  // NdisMAllocateSharedMemory's Cached
  };
  // An I/O-space VideoPortGetDeviceBase: the port number is the base, no pages (sem VIDEO_BASE).
  struct PortBase {
    u64 device, port, length;
    u64 created_seq;
    u64 released_seq = 0;
  };
  struct VaRegion {
    u64 base, size, cursor;
    std::vector<Range> free;  // sorted by start, merged
  };

  // The start of every public call: counts it and says whether to run it.
  bool Begin();
  // The number of the call running now, as reports name it: 0 inside the teardown.
  u64 CallNumber() const { return in_teardown_ ? 0 : seq_; }
  // Files a report; `about` names the mapping involved (sem "Report format": its creation, and
  // its release when it is quarantined).
  void Report(RuleId id, const Mapping* about = nullptr);
  void Report(const Evidence& e) { reports_.push_back(e); }

  // --- address space and mapping bookkeeping (mappings.cpp) ---------------------------

  // physical space
  bool TouchesRam(u64 pa, u64 len) const;  // len > 0, pa+len-1 representable
  // The first resource of `owner` in `space` holding all of [pa, pa+len), or nullptr.
  const Resource* ResourceHolding(u64 owner, PhysSpace space, u64 pa, u64 len) const;
  // The first live mapping (in address order) whose caching type conflicts, or nullptr.
  const Mapping* CacheConflict(PhysSpace space, u64 pa, u64 len, u32 cache) const;
  static bool Overflows(u64 pa, u64 len);  // passes 0xFFFFFFFFFFFFF000

  // virtual space
  VaRegion& RegionOf(Region r);
  std::optional<u64> Allocate(Region r, u64 extent);
  void FreeBlock(Region r, u64 start, u64 length);
  static u64 ExtentOf(u64 base_offset, u64 length);

  // mappings
  // The one way a mapping record is made: `wanted` holds what the family decides (length,
  // family, owner, process, region, space, phys, cache, readable, writable, user_view, is_file and,
  // for MM, leak_owner); Place allocates its pages in wanted.region and adds the addresses
  // (base, access_length, va_page, extent). nullopt: no room. Nothing is recorded yet.
  std::optional<Mapping> Place(Mapping wanted);
  u64 AddMapping(Mapping m);  // records a placed mapping; returns its id
  void Release(u64 id);       // live -> quarantine (UMDF views follow their pseudo mapping)
  void ReleaseOne(u64 id);
  void Evict();

  // unmap address classification
  enum class Class : u8 { Exact, Interior, Released, Nothing };
  Class Classify(u64 address, const Mapping** found) const;
  // The mapping, live or quarantined, user-mode views included, whose reserved pages (its extent
  // or its guard page) hold `address`, or nullptr: the one a report about the address names.
  const Mapping* Holder(u64 address) const;
  // The mapping an unmap of `address` (by `owner`, of `length`) releases, or nullptr after
  // reporting the first rule it breaks (the family's unmap rules, mappings.cpp).
  const Mapping* UnmapTarget(u64 address, Family family, u64 owner, u64 length);

  // leaks
  // live mappings of a family with this leak owner (or, when process != 0, of that process),
  // user-mode views and file buffers excluded, in ascending address order
  std::vector<u64> IdsByAddress(Family family, u64 owner, u64 process) const;
  void LeakMappings(Family family, u64 owner, RuleId rule);

  // --- family helpers -------------------------------------------------------------------
  bool AdapterMaps(u64 adapter);              // ndis_io.cpp
  bool FreePortBase(u64 device, u64 address);  // video_base.cpp: false when no port base holds it
  void LeakPortBases(u64 device);
  std::optional<u64> SharedRam(u64 bytes) const;  // ndis_shared.cpp: the first fit
  bool MmMapStart(u64 number_of_bytes);       // mm_io.cpp: the checks before the cache type
  u64 MmMap(u64 pa, u64 len, u32 cache, bool readable, bool writable);
  OpenFile* OpenFileOrReport(u64 handle);     // ndis_file.cpp
  bool ResListUsable(u64 list);                // resources.cpp
  std::vector<Resource> ResourcesOf(u64 owner) const;
  void CloseFileNow(OpenFile& f);
  void ReportFileLeak(const OpenFile& f);
  // sem quarantine: closed file handles and exited processes, remembered for "released by"
  void Bury(u64 handle);

  // port ranges and port access (ports.cpp)
  struct PortReg {
    u64 adapter = 0;
    u64 first = 0;  // InitialPort, also the PortOffset handed out
    u64 count = 0;
    u64 created_seq = 0;
    u64 released_seq = 0;
  };
  static bool RegHolds(const PortReg& r, u64 port, u64 width);
  const PortReg* LiveRegHolding(u64 port) const;  // the oldest
  void ReleaseReg(std::size_t i);
  void LeakPorts(u64 adapter);
  // the checks of a port access; true when it reaches the device
  bool PortAllowed(CallId call, u64 port, bool write, bool buffer_null, u64 count);

  // access (access.cpp)
  bool AccessCheck(u64 address, unsigned width, bool write, const Mapping** found);
  // the live mapping a `width`-byte access at `address` goes through (with a UMDF device: one of
  // its pseudo mappings), or nullptr after reporting why there is none
  const Mapping* Locate(u64 address, unsigned width, std::optional<u64> umdf_device);
  u64 LoadBytes(const Mapping& m, u64 address, unsigned width) const;
  void StoreBytes(const Mapping& m, u64 address, unsigned width, u64 value);
  u8 DeviceByteAt(PhysSpace space, u64 addr) const;
  void SetDeviceByte(PhysSpace space, u64 addr, u8 value);

  MachineOptions options_;
  bool torn_down_ = false;
  bool in_teardown_ = false;
  u64 seq_ = 0;
  u8 irql_ = kPassiveLevel;
  Callback callback_ = Callback::None;
  u64 callback_object_ = 0;
  u64 current_process_ = 0;
  std::vector<Evidence> reports_;

  std::vector<Range> ram_;
  std::vector<Resource> resources_;
  std::vector<Adapter> adapters_;
  std::vector<WdmDevice> wdm_;
  std::vector<UmdfDevice> umdf_;
  std::vector<VideoDevice> video_;
  std::vector<Process> processes_;
  std::vector<TableFile> file_table_;
  std::vector<OpenFile> files_;
  std::vector<DeviceByte> device_memory_;

  u64 next_adapter_ = 1, next_wdm_ = 1, next_umdf_ = 1, next_video_ = 1, next_process_ = 1,
      next_file_ = 1;

  VaRegion system_{}, user_{}, pseudo_{};
  std::vector<Mapping> live_;        // ascending va_page, as LiveMappings reports them
  std::vector<Mapping> quarantine_;  // oldest first
  std::vector<u64> buried_;          // closed file handles and exited processes, oldest first
  std::vector<PortReg> port_regs_;      // live port registrations, oldest first
  std::vector<PortReg> released_regs_;  // released ones remembered, oldest first
  std::vector<PortBase> port_bases_;      // live, oldest first
  std::vector<PortBase> freed_port_bases_;  // freed, oldest first, at most quarantine_capacity
  u64 next_mapping_id_ = 1;
  u64 mapping_changes_ = 0;
};

}  // namespace ddimap::oracle
