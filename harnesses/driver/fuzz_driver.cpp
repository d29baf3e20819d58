// The driver fuzzing kit (ddimap/fuzz_driver.h): runs one input's schedule
// against a driver's own entry points on a fresh machine, with the device's
// answers and the injected failures taken from the input, under the abort
// policy, and prints the schedule as a trace when DDIMAP_FUZZ_TRACE is set.
#include "ddimap/fuzz_driver.h"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "capi/driver_hooks.hpp"
#include "capi/internal.hpp"
#include "ddimap/control.h"
#include "ddimap/machine.hpp"
#include "ddimap/wdk/ndis.h"
#include "ddimap/wdk/video.h"
#include "driver/schedule.hpp"
#include "driver/trace_log.hpp"
#include "program/trace.hpp"

namespace ddimap::fuzz_driver {
namespace {

constexpr int kMaxSteps = 48;
constexpr KIRQL kDeviceIrql = 5;  // the DIRQL an ISR runs at
constexpr std::size_t kMaxProcesses = 4;

// The world of a description, parsed once per process; a world that does not
// parse ends the process with status 2 and the position.
const harness::World& WorldOf(const DDIMAP_FUZZ_DRIVER& d) {
  static const DDIMAP_FUZZ_DRIVER* parsed_for = nullptr;
  static std::shared_ptr<const harness::World> world;
  if (parsed_for == &d && world) return *world;
  std::string text = "world {\n";
  if (d.world != nullptr) text += d.world;
  static const char* const kDefaultDevice[] = {"", "nic0", "wdm0", "video0", "wdm0", "umdf0"};
  if (d.world == nullptr && d.family >= 1 && d.family <= 5) text += kDefaultDevice[d.family];
  text += "\n}\n";
  harness::Program program;
  harness::ParseError error;
  if (!harness::ParseTrace(text, &program, &error)) {
    std::fprintf(stderr, "ddimap-fuzz: %s: world:%d:%d: %s\n", d.name != nullptr ? d.name : "driver",
                 error.line - 1, error.column, error.expected.c_str());
    std::exit(2);
  }
  parsed_for = &d;
  world = program.world;
  return *world;
}

struct Process {
  HANDLE handle;
  std::vector<PVOID> mappings;  // VideoRamBase of each IOCTL_VIDEO_MAP_VIDEO_MEMORY not yet unmapped
};

class Run {
 public:
  Run(const DDIMAP_FUZZ_DRIVER& d, const std::uint8_t* data, std::size_t size)
      : d_(d), schedule_(data, size), log_(std::getenv("DDIMAP_FUZZ_TRACE") != nullptr &&
                                           std::strcmp(std::getenv("DDIMAP_FUZZ_TRACE"), "0") != 0) {}

  void Go(std::size_t size) {
    log_.Header(d_.name != nullptr ? d_.name : "driver", size);
    if (ddimap_machine_create() != DDIMAP_OK) std::exit(2);  // DDIMAP_OPTIONS was printed
    ddimap_set_policy(DDIMAP_POLICY_ABORT);
    ddimap_set_print_reports(1);
    Machine& m = *capi::CurrentMachine();
    log_.Attach(&m);
    m.SetFaultDecider(&Run::Decide, this);
    capi::g_instruments = {&Run::Read, &Run::NoteResultThunk, &Run::PollThunk, this};
    if (Load() && Build()) {
      int steps = 0;
      std::uint8_t op;
      while (steps++ < kMaxSteps && schedule_.Next(&op)) Step(op);
      Finish();
    }
    log_.Event("teardown: the machine reports what is still held");
    capi::g_instruments = {};
    ddimap_teardown();
    log_.Flush();
    ddimap_machine_destroy();
  }

 private:
  // --- the device --------------------------------------------------------------------
  static u64 Read(void* context, capi::DeviceSpace, u64, unsigned width, u64 value) {
    Run& r = *static_cast<Run*>(context);
    const u64 ones = width >= 8 ? ~0ull : (1ull << (8 * width)) - 1;
    if (r.gone_) return r.log_.Device(ones);
    std::uint8_t b;
    if (!r.schedule_.Device(&b)) return value;
    switch (AnswerOf(b)) {
      case Answer::Model: return value;
      case Answer::AllOnes: return r.log_.Device(ones);
      case Answer::Zero: return r.log_.Device(0);
      case Answer::Raw: break;
    }
    u64 raw = 0;
    for (unsigned i = 0; i < width; ++i) {
      std::uint8_t byte = 0;
      r.schedule_.Device(&byte);
      raw |= static_cast<u64>(byte) << (8 * i);
    }
    return r.log_.Device(raw);
  }
  static bool Decide(void* context, const CallRecord&) {
    Run& r = *static_cast<Run*>(context);
    r.log_.Poll(false);
    std::uint8_t b;
    return r.schedule_.Device(&b) && Fails(b);
  }
  static void NoteResultThunk(void* context, u64 result) { static_cast<Run*>(context)->log_.Result(result); }
  static void PollThunk(void* context) { static_cast<Run*>(context)->log_.Poll(true); }

  // --- loading and the machine -----------------------------------------------------------
  bool Load() {
    static UNICODE_STRING path = RTL_CONSTANT_STRING(u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\ddimap");
    if (d_.family == DDIMAP_FUZZ_VIDEO) {
      if (d_.video_driver_entry == nullptr) return Refuse("a video description needs .video_driver_entry");
      log_.Step("DriverEntry");
      const ULONG status = log_.Driver([&] { return d_.video_driver_entry(ddimap_driver_object(), &path); });
      return log_.Returned(status) == NO_ERROR;
    }
    if (d_.driver_entry == nullptr) return d_.family == DDIMAP_FUZZ_WDM || d_.family == DDIMAP_FUZZ_UMDF
                                               ? true
                                               : Refuse("the description needs .driver_entry");
    log_.Step("DriverEntry");
    const NTSTATUS status = log_.Driver([&] { return d_.driver_entry(ddimap_driver_object(), &path); });
    return NT_SUCCESS(log_.Returned(status));
  }

  bool Refuse(const char* why) {
    std::fprintf(stderr, "ddimap-fuzz: %s: %s\n", d_.name != nullptr ? d_.name : "driver", why);
    std::exit(2);
  }

  // The world's objects in order (the video adapter from the driver's
  // registration), then resources, RAM and files; the device is the first
  // object of the family's kind.
  bool Build() {
    const harness::World& w = WorldOf(d_);
    std::vector<std::pair<std::string, PVOID>> objects;
    for (const harness::WorldObject& o : w.objects) {
      PVOID made = nullptr;
      switch (o.kind) {
        case HandleKind::Adapter: made = ddimap_create_ndis_adapter(); break;
        case HandleKind::WdmDevice: made = ddimap_create_wdm_device(); break;
        case HandleKind::UmdfDevice:
          made = ddimap_create_umdf_device(o.umdf.version >> 16, o.umdf.version & 0xFFFF, o.umdf.direct,
                                           o.umdf.mode == RegisterAccess::UsingUserModeMapping);
          break;
        case HandleKind::Video:
          made = d_.family == DDIMAP_FUZZ_VIDEO ? ddimap_video_add_device() : ddimap_create_video_device();
          break;
        default: break;
      }
      if (made == nullptr) return false;
      objects.emplace_back(o.name, made);
      if (device_ == nullptr && KindMatches(o.kind)) device_ = made;
    }
    for (const harness::WorldResource& r : w.resources) {
      if (r.owner == "ram") {
        ddimap_add_ram(r.start, r.length);
        continue;
      }
      if (r.owner == "unassigned") Refuse("the world's 'unassigned' space has no place in a driver's machine");
      for (const auto& [name, object] : objects) {
        if (name != r.owner) continue;
        if (r.space == PhysSpace::Port) {
          ddimap_assign_port_resource(object, r.start, r.length);
        } else {
          ddimap_assign_memory_resource(object, r.start, r.length);
        }
      }
    }
    for (const harness::WorldFile& f : w.files) ddimap_add_file(f.name.c_str(), f.length, f.readable);
    if (device_ == nullptr) Refuse("the world has no device of the driver's family");
    if (d_.family == DDIMAP_FUZZ_KMDF) {
      log_.Step("EvtDriverDeviceAdd");
      const NTSTATUS status = log_.Driver([&] { return ddimap_kmdf_add_device(device_, &wdf_device_); });
      if (!NT_SUCCESS(log_.Returned(status))) return false;
    }
    return true;
  }

  bool KindMatches(HandleKind k) const {
    switch (d_.family) {
      case DDIMAP_FUZZ_NDIS: return k == HandleKind::Adapter;
      case DDIMAP_FUZZ_KMDF:
      case DDIMAP_FUZZ_WDM: return k == HandleKind::WdmDevice;
      case DDIMAP_FUZZ_VIDEO: return k == HandleKind::Video;
      case DDIMAP_FUZZ_UMDF: return k == HandleKind::UmdfDevice;
      default: return false;
    }
  }

  // --- the schedule --------------------------------------------------------------------------
  void Step(std::uint8_t op) {
    switch (op % 8) {
      case 0:
      case 1: return started_ ? Stop(false) : Start();
      case 2: return started_ ? Stop(true) : Start();
      case 3: return Interrupt();
      case 4:
      case 5: return Entry();
      default: return Request();
    }
  }

  // Ends the lifecycle the legal way: processes unmap and exit, the device stops.
  void Finish() {
    while (!processes_.empty()) ExitProcess(processes_.size() - 1);
    if (started_) Stop(false);
  }

  void Start() {
    gone_ = false;  // (re)inserted
    switch (d_.family) {
      case DDIMAP_FUZZ_NDIS: {
        log_.Step("MiniportInitializeEx");
        const NDIS_STATUS s = log_.Driver([&] { return ddimap_ndis_initialize(device_); });
        started_ = log_.Returned(s) == NDIS_STATUS_SUCCESS;
        return;
      }
      case DDIMAP_FUZZ_KMDF: {
        log_.Step("EvtDevicePrepareHardware");
        const NTSTATUS s = log_.Driver([&] { return ddimap_kmdf_prepare_hardware(wdf_device_); });
        started_ = NT_SUCCESS(log_.Returned(s));
        if (!started_) Release();  // the framework releases after a failed prepare too
        return;
      }
      case DDIMAP_FUZZ_VIDEO: {
        if (video_tried_) return;
        video_tried_ = true;
        log_.Step("HwVidFindAdapter");
        const VP_STATUS s = log_.Driver([&] { return ddimap_video_find_adapter(device_); });
        if (log_.Returned(s) != NO_ERROR) return;
        log_.Step("HwVidInitialize");
        started_ = log_.ReturnedBool(log_.Driver([&] { return ddimap_video_initialize(device_); }));
        return;
      }
      case DDIMAP_FUZZ_WDM:
        started_ = NT_SUCCESS(Wdm(DDIMAP_CB_START_DEVICE, "IRP_MN_START_DEVICE", d_.start_device));
        return;
      case DDIMAP_FUZZ_UMDF:
        started_ = SUCCEEDED(Umdf(DDIMAP_CB_ON_PREPARE_HARDWARE, "OnPrepareHardware", d_.on_prepare_hardware));
        if (!started_) Umdf(DDIMAP_CB_ON_RELEASE_HARDWARE, "OnReleaseHardware", d_.on_release_hardware);
        return;
      default: return;
    }
  }

  // A stop, or with `surprise` a surprise removal: the device reads all ones
  // from then on, and the driver is told in the way its family tells it.
  void Stop(bool surprise) {
    if (d_.family == DDIMAP_FUZZ_VIDEO) return;  // XPDM adapters stay until the machine goes
    if (surprise) {
      gone_ = true;
      log_.Event("surprise removal: the device reads all ones from now on");
    }
    started_ = false;
    switch (d_.family) {
      case DDIMAP_FUZZ_NDIS:
        log_.Step(surprise ? "MiniportHaltEx(NdisHaltDeviceSurpriseRemoved)" : "MiniportHaltEx(NdisHaltDeviceDisabled)");
        log_.Driver([&] {
          return ddimap_ndis_halt(device_, surprise ? NdisHaltDeviceSurpriseRemoved : NdisHaltDeviceDisabled);
        });
        return;
      case DDIMAP_FUZZ_KMDF: return Release();
      case DDIMAP_FUZZ_WDM:
        if (surprise) Wdm(DDIMAP_CB_SURPRISE_REMOVAL, "IRP_MN_SURPRISE_REMOVAL", d_.surprise_removal);
        Wdm(surprise ? DDIMAP_CB_REMOVE_DEVICE : DDIMAP_CB_STOP_DEVICE,
            surprise ? "IRP_MN_REMOVE_DEVICE" : "IRP_MN_STOP_DEVICE", surprise ? d_.remove_device : d_.stop_device);
        return;
      case DDIMAP_FUZZ_UMDF: Umdf(DDIMAP_CB_ON_RELEASE_HARDWARE, "OnReleaseHardware", d_.on_release_hardware); return;
      default: return;
    }
  }

  void Release() {
    log_.Step("EvtDeviceReleaseHardware");
    log_.Returned(log_.Driver([&] { return ddimap_kmdf_release_hardware(wdf_device_); }));
  }

  NTSTATUS Wdm(int callback, const char* name, NTSTATUS (*handler)(PVOID)) {
    if (handler == nullptr) return STATUS_SUCCESS;
    log_.Step(name);
    ddimap_enter_callback(callback, device_);
    const NTSTATUS s = log_.Driver([&] { return handler(device_); });
    ddimap_leave_callback(NT_SUCCESS(s));
    return log_.Returned(s);
  }

  HRESULT Umdf(int callback, const char* name, HRESULT (*handler)(IWDFDevice3*)) {
    if (handler == nullptr) return S_OK;
    log_.Step(name);
    auto* device = static_cast<IWDFDevice3*>(device_);
    ddimap_enter_callback(callback, device_);
    const HRESULT s = log_.Driver([&] { return handler(device); });
    ddimap_leave_callback(SUCCEEDED(s));
    return log_.Returned(s);
  }

  // NDIS: the interrupt the driver registered, if it did (else another entry point).
  void Interrupt() {
    const capi::NdisInterrupt* i =
        d_.family == DDIMAP_FUZZ_NDIS ? capi::LiveNdisInterrupt(capi::Guest(device_)) : nullptr;
    if (i == nullptr) return Entry();
    const capi::NdisInterrupt interrupt = *i;  // the ISR may deregister it
    log_.StepAt("MiniportInterrupt", kDeviceIrql);
    ddimap_set_irql(kDeviceIrql);
    BOOLEAN queue = FALSE;
    ULONG targets = 0;
    const BOOLEAN claimed = log_.Driver([&] { return interrupt.isr(interrupt.context, &queue, &targets); });
    log_.ReturnedBool(claimed);
    if (claimed && queue) {
      log_.StepAt("MiniportInterruptDPC", DISPATCH_LEVEL);
      ddimap_set_irql(DISPATCH_LEVEL);
      log_.Driver([&] {
        interrupt.dpc(interrupt.context, nullptr, nullptr, nullptr);
        return 0;
      });
    }
    ddimap_set_irql(PASSIVE_LEVEL);
  }

  // One of .entries, while the device is started, at an IRQL in its range.
  void Entry() {
    const std::uint8_t which = schedule_.NextOr0(), level = schedule_.NextOr0();
    if (d_.entry_count == 0 || !started_) return;
    const DDIMAP_FUZZ_ENTRY& e = d_.entries[which % d_.entry_count];
    const unsigned span = e.max_irql >= e.min_irql ? e.max_irql - e.min_irql + 1u : 1u;
    const KIRQL irql = static_cast<KIRQL>(e.min_irql + level % span);
    PVOID context = device_;
    if (d_.family == DDIMAP_FUZZ_NDIS) capi::NdisAdapterContext(capi::Guest(device_), &context);
    if (d_.family == DDIMAP_FUZZ_KMDF) context = wdf_device_;
    log_.StepAt(e.name != nullptr ? e.name : "entry", irql);
    ddimap_set_irql(irql);
    log_.Driver([&] {
      e.run(context);
      return 0;
    });
    ddimap_set_irql(PASSIVE_LEVEL);
  }

  // Video: a display driver's process opens, maps the frame buffer, unmaps it,
  // sends another request, or exits (after unmapping what it mapped).
  void Request() {
    if (d_.family != DDIMAP_FUZZ_VIDEO) return Entry();
    const std::uint8_t what = schedule_.NextOr0(), who = schedule_.NextOr0();
    if (!started_) return;
    if (what % 5 == 0 || processes_.empty()) {
      if (processes_.size() >= kMaxProcesses) return;
      log_.Event("a display driver's process starts");
      processes_.push_back({ddimap_create_process(), {}});
      return;
    }
    const std::size_t p = who % processes_.size();
    switch (what % 5) {
      case 1: return Map(p);
      case 2:
        if (!processes_[p].mappings.empty()) Unmap(p, processes_[p].mappings.size() - 1);
        return;
      case 3: return ExitProcess(p);
      default:
        if (d_.ioctl_count == 0) return Map(p);
        Ioctl(p, d_.ioctls[who % d_.ioctl_count], nullptr, 0, nullptr, 0, "IOCTL");
        return;
    }
  }

  VP_STATUS Ioctl(std::size_t p, ULONG code, PVOID in, ULONG in_length, PVOID out, ULONG out_length, const char* name) {
    STATUS_BLOCK status{};
    VIDEO_REQUEST_PACKET packet{};
    packet.IoControlCode = code;
    packet.StatusBlock = &status;
    packet.InputBuffer = in;
    packet.InputBufferLength = in_length;
    packet.OutputBuffer = out;
    packet.OutputBufferLength = out_length;
    log_.StepIoctl(name, code, p);
    ddimap_attach_process(processes_[p].handle);
    const BOOLEAN done = log_.Driver([&] { return ddimap_video_start_io(device_, &packet); });
    ddimap_attach_process(nullptr);
    return log_.Returned(done ? static_cast<VP_STATUS>(status.Status) : ERROR_INVALID_FUNCTION);
  }

  void Map(std::size_t p) {
    VIDEO_MEMORY in{};
    VIDEO_MEMORY_INFORMATION out{};
    if (Ioctl(p, IOCTL_VIDEO_MAP_VIDEO_MEMORY, &in, sizeof(in), &out, sizeof(out), "IOCTL_VIDEO_MAP_VIDEO_MEMORY") ==
        NO_ERROR)
      processes_[p].mappings.push_back(out.VideoRamBase);
  }

  void Unmap(std::size_t p, std::size_t i) {
    VIDEO_MEMORY in{};
    in.RequestedVirtualAddress = processes_[p].mappings[i];
    if (Ioctl(p, IOCTL_VIDEO_UNMAP_VIDEO_MEMORY, &in, sizeof(in), nullptr, 0, "IOCTL_VIDEO_UNMAP_VIDEO_MEMORY") ==
        NO_ERROR)
      processes_[p].mappings.erase(processes_[p].mappings.begin() + static_cast<std::ptrdiff_t>(i));
  }

  // A display driver unmaps what it mapped before its process ends (a request
  // the miniport fails is not retried).
  void ExitProcess(std::size_t p) {
    for (std::size_t n = processes_[p].mappings.size(); n > 0; --n) Unmap(p, n - 1);
    log_.Event("the display driver's process exits");
    ddimap_exit_process(processes_[p].handle);
    processes_.erase(processes_.begin() + static_cast<std::ptrdiff_t>(p));
  }

  const DDIMAP_FUZZ_DRIVER& d_;
  Schedule schedule_;
  TraceLog log_;
  PVOID device_ = nullptr;
  struct WDFDEVICE__* wdf_device_ = nullptr;
  bool started_ = false;
  bool gone_ = false;
  bool video_tried_ = false;
  std::vector<Process> processes_;
};

}  // namespace
}  // namespace ddimap::fuzz_driver

extern "C" int ddimap_fuzz_driver_run(const DDIMAP_FUZZ_DRIVER* driver, const uint8_t* data, size_t size) {
  ddimap::fuzz_driver::Run(*driver, data, size).Go(size);
  return 0;
}
