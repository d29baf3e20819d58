// The simulated machine: the C++ face of the ddimap core.
//
// One Machine is one deterministic world: RAM, devices and their resources,
// processes, the current IRQL and driver callback, three virtual-address
// regions, and every live mapping. The DDI methods keep the WDK names and
// parameter order; out-pointers are host pointers that may be NULL (the core
// reports COMMON.NULL_POINTER instead of writing through them). Every value a
// method returns or stores is a guest value, so two machines fed the same calls
// produce the same addresses, handles and reports, byte for byte.
#pragma once

#include <cstddef>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ddimap/calls.hpp"
#include "ddimap/report.hpp"
#include "ddimap/rules.hpp"
#include "ddimap/types.hpp"

namespace ddimap {

// Fault injection, in Driver Verifier's two styles (its Low Resources
// Simulation and Systematic Low Resources Simulation pages): every call that
// maps, opens, allocates or registers something may fail as if the system had
// run out of resources, with the failure value its page documents for that
// (docs/semantics.md, "Fault injection").
enum class FaultMode : u8 {
  Off,
  Random,      // each such call fails with probability fault_rate_ppm / 1e6 (seeded)
  Systematic,  // the first call from each distinct call site fails, later ones succeed
  Decided,     // each such call asks the function given to SetFaultDecider (a fuzzer's input decides)
};

// FaultMode::Decided's question: whether `call`, about to take its resource,
// fails. Asked once per call.
using FaultDecider = bool (*)(void* context, const CallRecord& call);


struct MachineOptions {
  Policy policy = Policy::Record;
  bool print_reports = false;          // also write each report to stderr (or log_path)
  // Where printed reports go, as the sanitizers' log_path: empty or "stderr",
  // stderr; "stdout", stdout; anything else, the file PATH.<pid>, opened for
  // appending at the first printed report and kept open for the process.
  std::string log_path;
  ReportFormat report_format = ReportFormat::Text;  // how printed reports are written
  std::vector<RuleId> suppress;        // rules neither recorded nor printed
  u64 system_region_size = kDefaultRegionSize;
  u64 user_region_size = kDefaultRegionSize;
  u64 pseudo_region_size = kDefaultRegionSize;
  std::size_t quarantine_capacity = 256;  // released mappings remembered
  std::size_t max_open_files = 64;        // NdisOpenFile beyond this: RESOURCES
  std::size_t max_recorded_reports = 10000;
  // false: recorded reports carry an empty evidence text (rule, calls and
  // records are kept), which spares building it; the fuzz targets compare
  // rules only. Printed reports (print_reports, Policy::Abort) always have it.
  bool evidence = true;
  // The C API's DbgPrint, DbgPrintEx and VideoPortDebugPrint write to stderr
  // only when set (DDIMAP_OPTIONS debug_print=1): a driver's debug output
  // would otherwise drown a fuzzer's.
  bool debug_print = false;
  FaultMode faults = FaultMode::Off;
  u32 fault_rate_ppm = 10000;  // Random: failures per million calls (1%)
  u64 fault_seed = 1;          // Random: the generator's seed
};

// Result of a building or lifecycle call. These calls play the operating
// system's part, so misuse is the harness's error, not the driver's: it gets
// a status, never a rule report.
enum class ControlStatus : u8 { Ok, BadObject, BadState, BadArgument };
std::string_view ControlStatusName(ControlStatus s);

// A read-only view of one live mapping, for the oracle and the self-checks.
struct MappingView {
  u64 base;           // the address the map call returned
  u64 length;         // the length the map call was given
  u64 access_length;  // bytes accessible from base (video: input Length)
  u64 va_page;        // first page of the reserved extent
  u64 extent;         // bytes of whole pages reserved (excluding the guard page)
  Family family;
  u64 owner;          // adapter/device/file handle; 0 for driver-wide MM mappings
  u64 process;        // user mappings: the process; 0 otherwise
  Region region;
  PhysSpace space;
  u64 phys;           // physical address of base (files: 0)
  u32 cache;          // effective MEMORY_CACHING_TYPE
  bool readable;      // false: MmMapIoSpaceEx PAGE_EXECUTE (no read, no write)
  bool writable;
  bool user_view;     // UMDF user-mode view of a pseudo mapping
  u64 created_seq;

  // Field by field: the harnesses compare the core's and the oracle's records.
  bool operator==(const MappingView&) const = default;
};

// One line with every field, for failure messages of the harnesses and tests.
inline std::string Describe(const MappingView& v) {
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "base 0x%llx length 0x%llx access 0x%llx page 0x%llx extent 0x%llx family %.*s owner 0x%llx "
                "process 0x%llx region %u space %u phys 0x%llx cache %u %c%c%s created #%llu",
                static_cast<unsigned long long>(v.base), static_cast<unsigned long long>(v.length),
                static_cast<unsigned long long>(v.access_length), static_cast<unsigned long long>(v.va_page),
                static_cast<unsigned long long>(v.extent), static_cast<int>(FamilyName(v.family).size()),
                FamilyName(v.family).data(), static_cast<unsigned long long>(v.owner),
                static_cast<unsigned long long>(v.process), static_cast<unsigned>(v.region),
                static_cast<unsigned>(v.space), static_cast<unsigned long long>(v.phys), static_cast<unsigned>(v.cache),
                v.readable ? 'r' : '-', v.writable ? 'w' : '-', v.user_view ? " view" : "",
                static_cast<unsigned long long>(v.created_seq));
  return buf;
}

class Machine {
 public:
  explicit Machine(MachineOptions options = {});
  ~Machine();  // tears down first (leaks are reported, then everything freed)
  // A deep, independent copy: same state, same reports, same future. The
  // harnesses build their standard world once and copy it for every input.
  Machine(const Machine& other);
  // Becomes such a copy of `other`, reusing this machine's storage; the state
  // it held is dropped without a teardown (no leak reports).
  Machine& operator=(const Machine& other);

  // --- building the machine (the operating system's side) -------------------
  ControlStatus AddRam(u64 physical_address, u64 length);
  u64 CreateNdisAdapter();
  u64 CreateWdmDevice();
  // version: (major << 16) | minor, e.g. 0x1000B for UMDF 1.11.
  u64 CreateUmdfDevice(u32 version, bool allow_direct_hardware_access, RegisterAccess mode);
  u64 CreateVideoDevice();
  ControlStatus AssignResource(u64 object, PhysSpace space, u64 start, u64 length);
  // A file in the simulated file table. Its bytes are a fixed function of the
  // name and offset; an unreadable file opens with ERROR_READING_FILE.
  ControlStatus AddFile(std::optional<std::string_view> name, u32 length, bool readable);  // NULL: BadArgument

  // --- lifecycle -------------------------------------------------------------
  ControlStatus SetIrql(u64 irql);  // > 15: MACHINE.IRQL_RANGE, refused
  u64 CreateProcess();
  ControlStatus ExitProcess(u64 process);
  ControlStatus AttachProcess(u64 process);  // 0 detaches (system context)
  ControlStatus EnterCallback(Callback callback, u64 object);
  ControlStatus LeaveCallback(bool succeeded);

  // --- NDIS miniport I/O space ------------------------------------------------
  NdisStatus NdisMMapIoSpace(u64* VirtualAddress, u64 MiniportAdapterHandle,
                             u64 PhysicalAddress, u32 Length);
  void NdisMUnmapIoSpace(u64 MiniportAdapterHandle, u64 VirtualAddress, u32 Length);

  // --- NDIS miniport I/O port ranges (*PortOffset = InitialPort, as on x64) -----
  NdisStatus NdisMRegisterIoPortRange(u64* PortOffset, u64 MiniportAdapterHandle, u64 InitialPort,
                                      u32 NumberOfPorts);
  void NdisMDeregisterIoPortRange(u64 MiniportAdapterHandle, u64 InitialPort, u32 NumberOfPorts,
                                  u64 PortOffset);

  // --- WDM ----------------------------------------------------------------------
  u64 MmMapIoSpace(u64 PhysicalAddress, u64 NumberOfBytes, u64 CacheType);
  u64 MmMapIoSpaceEx(u64 PhysicalAddress, u64 NumberOfBytes, u64 Protect);
  void MmUnmapIoSpace(u64 BaseAddress, u64 NumberOfBytes);

  // --- UMDF 1.x (This = the device handle) ----------------------------------------
  HResult UmdfMapIoSpace(u64 This, u64 PhysicalAddress, u64 NumberOfBytes, u64 CacheType,
                         u64* pPseudoBaseAddress);
  void UmdfUnmapIoSpace(u64 This, u64 PseudoBaseAddress, u64 NumberOfBytes);
  u64 UmdfGetHardwareRegisterMappedAddress(u64 This, u64 PseudoBaseAddress);

  // --- NDIS files (FileName: nullopt = a NULL PNDIS_STRING) ------------------------
  NdisStatus NdisOpenFile(NdisStatus* Status, u64* FileHandle, u32* FileLength,
                          std::optional<std::string_view> FileName,
                          u64 HighestAcceptableAddress);
  NdisStatus NdisMapFile(NdisStatus* Status, u64* MappedBuffer, u64 FileHandle);
  void NdisUnmapFile(u64 FileHandle);
  void NdisCloseFile(u64 FileHandle);

  // --- video miniport ------------------------------------------------------------
  VpStatus VideoPortMapMemory(u64 HwDeviceExtension, u64 PhysicalAddress, u32* Length,
                              u32* InIoSpace, u64* VirtualAddress);
  VpStatus VideoPortUnmapMemory(u64 HwDeviceExtension, u64 VirtualAddress, u64 ProcessHandle);

  // --- PAGED_CODE() and the resource queries (docs/semantics.md, "Resource queries") ---
  void PagedCode();
  // List: a WDM device handle standing for its WDFCMRESLIST. The count of its
  // resources; 0 when refused.
  u64 WdfCmResourceListGetCount(u64 List);
  // The Type of resource Index (kCmResourceTypePort / kCmResourceTypeMemory);
  // kCmResourceTypeNull (the DDI's NULL) out of range or refused.
  u64 WdfCmResourceListGetDescriptor(u64 List, u64 Index);
  // On success *ResourceList receives the list's Count (the C API copies the
  // descriptors) and *BufferSize the bytes the list takes.
  NdisStatus NdisMQueryAdapterResources(NdisStatus* Status, u64 WrapperConfigurationContext,
                                        u32* ResourceList, u32* BufferSize);
  // The in-pointers count only as NULL or not (false: NULL). On NO_ERROR
  // *AccessRanges receives how many elements were filled (the C API writes
  // them) and *Slot the device's slot number.
  VpStatus VideoPortGetAccessRanges(u64 HwDeviceExtension, u32 NumRequestedResources, bool RequestedResources,
                                    u32 NumAccessRanges, u32* AccessRanges, bool VendorId, bool DeviceId,
                                    u32* Slot);

  // --- video device base (InIoSpace: the VIDEO_MEMORY_SPACE_* flags) ----------------
  // I/O space: the base is the port number itself (x64), no virtual range.
  u64 VideoPortGetDeviceBase(u64 HwDeviceExtension, u64 IoAddress, u32 NumberOfUchars, u32 InIoSpace);
  void VideoPortFreeDeviceBase(u64 HwDeviceExtension, u64 MappedAddress);

  // --- NDIS shared memory (RAM: *PhysicalAddress is a page of a RAM range) ----------
  void NdisMAllocateSharedMemory(u64 MiniportAdapterHandle, u32 Length, bool Cached, u64* VirtualAddress,
                                 u64* PhysicalAddress);
  void NdisMFreeSharedMemory(u64 MiniportAdapterHandle, u32 Length, bool Cached, u64 VirtualAddress,
                             u64 PhysicalAddress);

  // --- access through mapped addresses (width 1, 2, 4 or 8) ------------------------
  // A refused read returns 0; a refused write does nothing.
  u64 Read(u64 address, unsigned width);
  void Write(u64 address, unsigned width, u64 value);
  u64 UmdfReadRegister(u64 This, u64 address, unsigned width);
  void UmdfWriteRegister(u64 This, u64 address, unsigned width, u64 value);

  // --- port I/O: every family's READ_PORT_* / WRITE_PORT_* (the DDIMAP_PORT
  // rows of calls.def; `call` names the row, whose width and family decide the
  // checks). A call that is not such a row does nothing. Buffers hold `count`
  // elements of the row's width in host order; a NULL buffer with count > 0 is
  // COMMON.NULL_POINTER. A refused read returns 0 (a buffer read stores 0 in
  // every element); a refused write does nothing.
  u64 ReadPort(CallId call, u64 port);
  void WritePort(CallId call, u64 port, u64 value);
  void ReadPortBuffer(CallId call, u64 port, void* buffer, u32 count);
  void WritePortBuffer(CallId call, u64 port, const void* buffer, u32 count);

  // --- the end of the program -------------------------------------------------------
  // Tears everything down in documented order: leave the running callback, halt
  // adapters, stop and remove WDM devices, release UMDF hardware, close files,
  // remove video devices, end processes. Each leak is reported under its
  // family's LEAK rule. Afterwards no mapping and no device page remain.
  // Idempotent; later calls are ignored: no report, the failure value returned
  // and written to out-pointers.
  void Teardown();
  bool torn_down() const;

  // --- reports --------------------------------------------------------------------
  const std::vector<Report>& reports() const;
  std::size_t report_count() const;              // including ones not recorded
  std::size_t report_count(RuleId rule) const;
  void ClearReports();
  void SetPolicy(Policy policy);
  void Suppress(RuleId rule);
  void Unsuppress(RuleId rule);
  void SetPrintReports(bool print);
  void SetEvidence(bool keep);  // MachineOptions::evidence, from the next report on
  // Fault injection from the next call on (restarts the generator and forgets
  // the call sites seen). rate_ppm above 1000000 counts as 1000000.
  void SetFaults(FaultMode mode, u32 rate_ppm, u64 seed);
  // The call site of the next DDI call, for FaultMode::Systematic: the C API
  // passes its caller's return address; 0 (the default) makes the call's id
  // alone the site. Consumed by that call.
  void SetCallSite(u64 site);
  // FaultMode::Decided from the next call on, asking `decide` (nullptr: Off).
  void SetFaultDecider(FaultDecider decide, void* context);
  // The record of the latest call (seq 0: none yet): a tracer that polls it
  // between calls sees each call, at no cost to the calls themselves.
  const CallRecord& last_call() const;
  // Calls failed by fault injection so far, and the record of the one
  // numbered seq (a Report's injected_seq); nullptr when none has that number.
  std::size_t injected_fault_count() const;
  const CallRecord* InjectedCall(u64 seq) const;
  const MachineOptions& options() const;
  std::string FormatReport(const Report& report) const;
  // The report as one line of JSON, no newline (docs/harness.md,
  // "Machine-readable reports").
  std::string FormatReportJson(const Report& report) const;
  std::string FormatCall(const CallRecord& call) const;
  std::string FileNameOf(u64 interned_id) const;

  // --- introspection (oracle, self-checks, tests) --------------------------------------
  u8 irql() const;
  Callback callback() const;
  u64 callback_object() const;
  u64 current_process() const;
  u64 call_count() const;
  // Call numbers (the #N of reports) restart at 1 with the next call: a
  // harness calls this after building its world, so a report's #N is the
  // line of the program.
  void StartProgram();
  // The resources assigned to `object` (AssignResource), in assignment order:
  // what every resource query reports.
  struct ResourceView {
    PhysSpace space;
    u64 start;
    u64 length;
  };
  std::vector<ResourceView> Resources(u64 object) const;
  std::size_t live_mapping_count() const;
  // How many times a mapping has been created or released so far: when a call
  // leaves it unchanged, the live mappings are the ones before the call, and a
  // harness need not compare them again.
  u64 mapping_changes() const;
  std::size_t quarantined_count() const;
  // Live NdisMRegisterIoPortRange registrations, and released ones still remembered.
  std::size_t live_port_range_count() const;
  std::size_t released_port_range_count() const;
  // The adapter of each live registration, in creation order (a harness's
  // state coverage: port ranges are owned like mappings but are not ones).
  u64 live_port_range_owner(std::size_t i) const;
  std::size_t touched_page_count() const;
  std::vector<MappingView> LiveMappings() const;
  // The same as pointers into the machine, valid until its next non-const
  // call, into a buffer the caller reuses: harnesses compare after every
  // mapping call and must not pay an allocation or a copy each time.
  void LiveMappings(std::vector<const MappingView*>* out) const;
  // Checks the core's own bookkeeping; returns "" when consistent, else what
  // is wrong. Costs O(live objects); meant for tests and harness self-checks.
  std::string CheckInvariants() const;

  struct State;  // the implementation; defined in core/machine/state.hpp

 private:
  std::unique_ptr<State> s_;
};

}  // namespace ddimap
