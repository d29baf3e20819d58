// The C control API (ddimap/control.h): the process-global current machine,
// DDIMAP_OPTIONS, building and lifecycle calls, and report access.
#include "ddimap/control.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "capi/internal.hpp"
#include "ddimap/machine.hpp"
#include "ddimap/rules.hpp"
#include "capi/resource_store.hpp"

namespace ddimap::capi {
namespace {

// --- the current machine -------------------------------------------------------------
// A plain pointer, destroyed by an atexit handler (not a static destructor), so
// teardown at exit runs while the C and C++ runtimes are still fully usable.
Machine* g_machine = nullptr;
bool g_atexit_installed = false;

void DestroyCurrent() {
  Machine* m = std::exchange(g_machine, nullptr);
  delete m;  // ~Machine tears down first: leaks are reported
  ReleaseHostObjects();
  ReleaseNdisAdapters();
  ReleaseKmdfDevices();
  ReleaseVideoAdapters();
  ReleaseResourceStore();
  ReleaseAllSharedMemory();  // after the teardown: no block outlives its machine
}

void Install(Machine* m) {
  g_machine = m;
  if (!g_atexit_installed) {
    g_atexit_installed = true;
    std::atexit(DestroyCurrent);
  }
}

// Options from the environment on top of the C API defaults. On an invalid
// value returns false and stores the diagnostic line in *message.
bool OptionsFromEnvironment(MachineOptions* options, std::string* message) {
  *options = DefaultOptions();
  const char* text = std::getenv("DDIMAP_OPTIONS");
  if (text == nullptr) return true;
  OptionsError error;
  if (ParseOptions(text, options, &error)) return true;
  *message = FormatOptionsError(error);
  return false;
}

int ToStatus(ControlStatus s) {
  switch (s) {
    case ControlStatus::Ok: return DDIMAP_OK;
    case ControlStatus::BadObject: return DDIMAP_E_BAD_OBJECT;
    case ControlStatus::BadState: return DDIMAP_E_BAD_STATE;
    case ControlStatus::BadArgument: return DDIMAP_E_BAD_ARGUMENT;
  }
  return DDIMAP_E_BAD_ARGUMENT;
}

}  // namespace

MachineOptions DefaultOptions() {
  MachineOptions o;
  o.policy = Policy::Record;
  o.print_reports = true;
  return o;
}

Machine* CurrentMachine() { return g_machine; }

Instruments g_instruments;

Machine& LazyMachine() {
  if (g_machine == nullptr) {
    MachineOptions options;
    std::string message;
    if (!OptionsFromEnvironment(&options, &message)) {
      std::fprintf(stderr, "%s\n", message.c_str());
      options = DefaultOptions();
    }
    Install(new Machine(options));
  }
  PollInstruments();
  return *g_machine;
}

}  // namespace ddimap::capi

using ddimap::Callback;
using ddimap::ControlStatus;
using ddimap::Machine;
using ddimap::PhysSpace;
using ddimap::RuleId;
using ddimap::u64;
using ddimap::capi::CurrentMachine;
using ddimap::capi::Guest;
using ddimap::capi::GuestObject;
using ddimap::capi::HostPtr;
using ddimap::capi::ToStatus;

namespace {

std::optional<RuleId> RuleOf(const char* rule_id) {
  if (rule_id == nullptr) return std::nullopt;
  return ddimap::RuleByName(rule_id);
}

}  // namespace

extern "C" {

const char* ddimap_status_name(int status) {
  switch (status) {
    case DDIMAP_OK: return "DDIMAP_OK";
    case DDIMAP_E_BAD_OBJECT: return "DDIMAP_E_BAD_OBJECT";
    case DDIMAP_E_BAD_STATE: return "DDIMAP_E_BAD_STATE";
    case DDIMAP_E_BAD_ARGUMENT: return "DDIMAP_E_BAD_ARGUMENT";
    case DDIMAP_E_NO_MACHINE: return "DDIMAP_E_NO_MACHINE";
    default: return "?";
  }
}

// --- the machine ----------------------------------------------------------------------
int ddimap_machine_create(void) {
  ddimap::capi::DestroyCurrent();
  ddimap::MachineOptions options;
  std::string message;
  if (!ddimap::capi::OptionsFromEnvironment(&options, &message)) {
    std::fprintf(stderr, "%s\n", message.c_str());
    return DDIMAP_E_BAD_ARGUMENT;
  }
  ddimap::capi::Install(new Machine(options));
  return DDIMAP_OK;
}

int ddimap_machine_destroy(void) {
  if (CurrentMachine() == nullptr) return DDIMAP_E_NO_MACHINE;
  ddimap::capi::DestroyCurrent();
  return DDIMAP_OK;
}

int ddimap_machine_exists(void) { return CurrentMachine() != nullptr ? 1 : 0; }

// --- building -----------------------------------------------------------------------------
int ddimap_add_ram(ULONG64 physical_address, ULONG64 length) {
  Machine* m = CurrentMachine();
  if (m == nullptr) return DDIMAP_E_NO_MACHINE;
  return ToStatus(m->AddRam(physical_address, length));
}

NDIS_HANDLE ddimap_create_ndis_adapter(void) {
  Machine* m = CurrentMachine();
  return m == nullptr ? nullptr : HostPtr(m->CreateNdisAdapter());
}

PVOID ddimap_create_wdm_device(void) {
  Machine* m = CurrentMachine();
  return m == nullptr ? nullptr : HostPtr(m->CreateWdmDevice());
}

IWDFDevice3* ddimap_create_umdf_device(ULONG major, ULONG minor,
                                       BOOLEAN allow_direct_hardware_access,
                                       int register_access_mode) {
  Machine* m = CurrentMachine();
  if (m == nullptr || major > 0xFFFF || minor > 0xFFFF) return nullptr;
  if (register_access_mode != DDIMAP_REGISTER_ACCESS_USING_SYSTEM_CALL &&
      register_access_mode != DDIMAP_REGISTER_ACCESS_USING_USER_MODE_MAPPING)
    return nullptr;
  const ddimap::u32 version = (major << 16) | minor;
  const u64 h = m->CreateUmdfDevice(version, allow_direct_hardware_access != 0,
                                    static_cast<ddimap::RegisterAccess>(register_access_mode));
  return static_cast<IWDFDevice3*>(HostPtr(h));
}

PVOID ddimap_create_video_device(void) {
  Machine* m = CurrentMachine();
  return m == nullptr ? nullptr : HostPtr(m->CreateVideoDevice());
}

PVOID ddimap_create_video_device_extension(ULONG extension_size) {
  Machine* m = CurrentMachine();
  return m == nullptr ? nullptr : ddimap::capi::NewHostObject(m->CreateVideoDevice(), extension_size);
}

int ddimap_assign_memory_resource(PVOID object, ULONG64 start, ULONG64 length) {
  Machine* m = CurrentMachine();
  if (m == nullptr) return DDIMAP_E_NO_MACHINE;
  return ToStatus(m->AssignResource(GuestObject(object), PhysSpace::Memory, start, length));
}

int ddimap_assign_port_resource(PVOID object, ULONG64 start, ULONG64 length) {
  Machine* m = CurrentMachine();
  if (m == nullptr) return DDIMAP_E_NO_MACHINE;
  return ToStatus(m->AssignResource(GuestObject(object), PhysSpace::Port, start, length));
}

int ddimap_add_file(const char* name, ULONG length, BOOLEAN readable) {
  Machine* m = CurrentMachine();
  if (m == nullptr) return DDIMAP_E_NO_MACHINE;
  if (name == nullptr) return DDIMAP_E_BAD_ARGUMENT;
  return ToStatus(m->AddFile(name, length, readable != 0));
}

WDFCMRESLIST ddimap_device_resources(PVOID device) {
  // The model has one resource list per device: the list handle is the device's own.
  if (CurrentMachine() == nullptr || !ddimap::HandleIs(Guest(device), ddimap::HandleKind::WdmDevice))
    return nullptr;
  return static_cast<WDFCMRESLIST>(device);
}

PNDIS_RESOURCE_LIST ddimap_adapter_resources(NDIS_HANDLE adapter) {
  Machine* m = CurrentMachine();
  if (m == nullptr || !ddimap::HandleIs(Guest(adapter), ddimap::HandleKind::Adapter)) return nullptr;
  return ddimap::capi::StoredList(*m, Guest(adapter));
}

// --- lifecycle --------------------------------------------------------------------------------
int ddimap_set_irql(ULONG irql) {
  Machine* m = CurrentMachine();
  if (m == nullptr) return DDIMAP_E_NO_MACHINE;
  return ToStatus(m->SetIrql(irql));
}

HANDLE ddimap_create_process(void) {
  Machine* m = CurrentMachine();
  return m == nullptr ? nullptr : HostPtr(m->CreateProcess());
}

int ddimap_exit_process(HANDLE process) {
  Machine* m = CurrentMachine();
  if (m == nullptr) return DDIMAP_E_NO_MACHINE;
  ddimap::capi::PollInstruments();
  return ToStatus(m->ExitProcess(Guest(process)));
}

int ddimap_attach_process(HANDLE process) {
  Machine* m = CurrentMachine();
  if (m == nullptr) return DDIMAP_E_NO_MACHINE;
  return ToStatus(m->AttachProcess(Guest(process)));
}

int ddimap_enter_callback(int callback, PVOID object) {
  static_assert(DDIMAP_CB_COUNT == ddimap::kCallbackCount);
  static_assert(DDIMAP_CB_VIDEO_START_IO == static_cast<int>(Callback::VideoStartIo));
  static_assert(DDIMAP_CB_VIDEO_FIND_ADAPTER == static_cast<int>(Callback::VideoFindAdapter));
  static_assert(DDIMAP_CB_ON_PREPARE_HARDWARE == static_cast<int>(Callback::OnPrepareHardware));
  static_assert(DDIMAP_CB_START_DEVICE == static_cast<int>(Callback::StartDevice));
  static_assert(DDIMAP_CB_EVT_DEVICE_PREPARE_HARDWARE == static_cast<int>(Callback::EvtDevicePrepareHardware));
  static_assert(DDIMAP_CB_EVT_DEVICE_RELEASE_HARDWARE == static_cast<int>(Callback::EvtDeviceReleaseHardware));
  Machine* m = CurrentMachine();
  if (m == nullptr) return DDIMAP_E_NO_MACHINE;
  if (callback < 0 || callback >= DDIMAP_CB_COUNT) return DDIMAP_E_BAD_ARGUMENT;
  return ToStatus(m->EnterCallback(static_cast<Callback>(callback), GuestObject(object)));
}

int ddimap_leave_callback(BOOLEAN succeeded) {
  Machine* m = CurrentMachine();
  if (m == nullptr) return DDIMAP_E_NO_MACHINE;
  ddimap::capi::PollInstruments();
  return ToStatus(m->LeaveCallback(succeeded != 0));
}

int ddimap_teardown(void) {
  Machine* m = CurrentMachine();
  if (m == nullptr) return DDIMAP_E_NO_MACHINE;
  m->Teardown();
  return DDIMAP_OK;
}

// --- reports ------------------------------------------------------------------------------------
size_t ddimap_report_count(void) {
  Machine* m = CurrentMachine();
  return m == nullptr ? 0 : m->report_count();
}

size_t ddimap_recorded_report_count(void) {
  Machine* m = CurrentMachine();
  return m == nullptr ? 0 : m->reports().size();
}

size_t ddimap_rule_count(const char* rule_id) {
  Machine* m = CurrentMachine();
  const std::optional<RuleId> id = RuleOf(rule_id);
  return m == nullptr || !id ? 0 : m->report_count(*id);
}

const char* ddimap_report_rule(size_t i) {
  Machine* m = CurrentMachine();
  if (m == nullptr || i >= m->reports().size()) return nullptr;
  // Rule names are string literals in the rule table: NUL-terminated, static.
  return ddimap::RuleName(m->reports()[i].rule).data();
}

size_t ddimap_report_text(size_t i, char* buf, size_t cap) {
  Machine* m = CurrentMachine();
  if (m == nullptr || i >= m->reports().size()) {
    if (buf != nullptr && cap > 0) buf[0] = '\0';
    return 0;
  }
  const std::string text = m->FormatReport(m->reports()[i]);
  if (buf != nullptr && cap > 0) {
    const std::size_t n = text.size() < cap - 1 ? text.size() : cap - 1;
    std::memcpy(buf, text.data(), n);
    buf[n] = '\0';
  }
  return text.size();
}

int ddimap_clear_reports(void) {
  Machine* m = CurrentMachine();
  if (m == nullptr) return DDIMAP_E_NO_MACHINE;
  m->ClearReports();
  return DDIMAP_OK;
}

int ddimap_set_policy(int policy) {
  Machine* m = CurrentMachine();
  if (m == nullptr) return DDIMAP_E_NO_MACHINE;
  if (policy == DDIMAP_POLICY_RECORD) {
    m->SetPolicy(ddimap::Policy::Record);
  } else if (policy == DDIMAP_POLICY_ABORT) {
    m->SetPolicy(ddimap::Policy::Abort);
  } else {
    return DDIMAP_E_BAD_ARGUMENT;
  }
  return DDIMAP_OK;
}

int ddimap_suppress(const char* rule_id) {
  Machine* m = CurrentMachine();
  if (m == nullptr) return DDIMAP_E_NO_MACHINE;
  const std::optional<RuleId> id = RuleOf(rule_id);
  if (!id) return DDIMAP_E_BAD_ARGUMENT;
  m->Suppress(*id);
  return DDIMAP_OK;
}

int ddimap_unsuppress(const char* rule_id) {
  Machine* m = CurrentMachine();
  if (m == nullptr) return DDIMAP_E_NO_MACHINE;
  const std::optional<RuleId> id = RuleOf(rule_id);
  if (!id) return DDIMAP_E_BAD_ARGUMENT;
  m->Unsuppress(*id);
  return DDIMAP_OK;
}

int ddimap_set_print_reports(int print) {
  Machine* m = CurrentMachine();
  if (m == nullptr) return DDIMAP_E_NO_MACHINE;
  m->SetPrintReports(print != 0);
  return DDIMAP_OK;
}

int ddimap_set_faults(int mode, ULONG per_million, ULONG64 seed) {
  Machine* m = CurrentMachine();
  if (m == nullptr) return DDIMAP_E_NO_MACHINE;
  if (mode != DDIMAP_FAULTS_OFF && mode != DDIMAP_FAULTS_RANDOM && mode != DDIMAP_FAULTS_SYSTEMATIC)
    return DDIMAP_E_BAD_ARGUMENT;
  m->SetFaults(static_cast<ddimap::FaultMode>(mode), per_million, seed);
  return DDIMAP_OK;
}

size_t ddimap_injected_fault_count(void) {
  const Machine* m = CurrentMachine();
  return m == nullptr ? 0 : m->injected_fault_count();
}

}  // extern "C"
