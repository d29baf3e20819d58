// IRQL, processes and driver callbacks: the operating system's side of the
// program, and the points where the LEAK rules are checked.
#include <algorithm>

#include "families/families.hpp"
#include "machine/state.hpp"
#include "mutants/mutant.hpp"

namespace ddimap {

ControlStatus Machine::SetIrql(u64 irql) {
  if (!s_->Begin(CallId::SetIrql, {irql})) return ControlStatus::BadState;
  if (irql > kHighLevel) {
    s_->Violation(RuleId::MachineIrqlRange, [&] {
      return "requested IRQL " + std::to_string(irql) + " is above HIGH_LEVEL (15)";
    });
    return ControlStatus::BadArgument;
  }
  s_->irql = static_cast<u8>(irql);
  return ControlStatus::Ok;
}

u64 Machine::CreateProcess() {
  if (!s_->Begin(CallId::CreateProcess, {})) return 0;
  u64 serial = s_->next_process++;
  s_->processes.emplace(serial, Process{s_->cur});
  return MakeHandle(HandleKind::Process, serial);
}

ControlStatus Machine::ExitProcess(u64 process) {
  if (!s_->Begin(CallId::ExitProcess, {process})) return ControlStatus::BadState;
  Process* p = s_->FindProcess(process);
  if (!p) return ControlStatus::BadObject;
  if (!DDIMAP_MUTANT(video_exit_leak_missed)) families::VideoLeaks(*s_, 0, process, "its process exits");
  s_->Bury(process, p->created);
  s_->processes.erase(HandleSerial(process));
  if (s_->cur_process == process) s_->cur_process = 0;
  return ControlStatus::Ok;
}

ControlStatus Machine::AttachProcess(u64 process) {
  if (!s_->Begin(CallId::AttachProcess, {process})) return ControlStatus::BadState;
  if (process != 0 && !s_->FindProcess(process)) return ControlStatus::BadObject;
  s_->cur_process = process;
  return ControlStatus::Ok;
}

ControlStatus Machine::EnterCallback(Callback cb, u64 object) {
  if (!s_->Begin(CallId::EnterCallback, {static_cast<u64>(cb), object})) return ControlStatus::BadState;
  State& s = *s_;
  if (s.cb != Callback::None) return ControlStatus::BadState;
  switch (cb) {
    case Callback::MiniportInitializeEx:
    case Callback::MiniportHaltEx: {
      Adapter* a = s.FindAdapter(object);
      if (!a) return ControlStatus::BadObject;
      bool init = cb == Callback::MiniportInitializeEx;
      if (a->state != (init ? AdapterState::Created : AdapterState::Running)) return ControlStatus::BadState;
      a->state = init ? AdapterState::Initializing : AdapterState::Halting;
      break;
    }
    case Callback::StartDevice:
    case Callback::StopDevice:
    case Callback::RemoveDevice:
    case Callback::SurpriseRemoval: {
      WdmDevice* d = s.FindWdm(object);
      if (!d) return ControlStatus::BadObject;
      PnpState st = d->state;
      bool ok = false;
      if (cb == Callback::StartDevice) ok = st == PnpState::Added || st == PnpState::Stopped;
      if (cb == Callback::StopDevice) ok = st == PnpState::Started;
      if (cb == Callback::RemoveDevice) ok = st != PnpState::Removed;
      if (cb == Callback::SurpriseRemoval) ok = st == PnpState::Started || st == PnpState::Stopped;
      if (!ok) return ControlStatus::BadState;
      break;
    }
    case Callback::OnPrepareHardware:
    case Callback::OnReleaseHardware: {
      UmdfDevice* u = s.FindUmdf(object);
      if (!u) return ControlStatus::BadObject;
      if (u->prepared != (cb == Callback::OnReleaseHardware)) return ControlStatus::BadState;
      break;
    }
    case Callback::VideoStartIo:
    case Callback::VideoFindAdapter:
      if (!s.FindVideo(object)) return ControlStatus::BadObject;
      break;
    case Callback::EvtDevicePrepareHardware:
    case Callback::EvtDeviceReleaseHardware: {
      WdmDevice* d = s.FindWdm(object);
      if (!d) return ControlStatus::BadObject;
      const bool prepare = cb == Callback::EvtDevicePrepareHardware;
      if (d->hardware_prepared == prepare) return ControlStatus::BadState;
      if (prepare && d->state == PnpState::Removed) return ControlStatus::BadState;
      if (prepare) d->hardware_prepared = true;
      break;
    }
    default:
      return ControlStatus::BadArgument;
  }
  s.cb = cb;
  s.cb_object = object;
  return ControlStatus::Ok;
}

// Shared by LeaveCallback and teardown: ends the running callback with the
// given outcome, checking the leak rules of the object it ran for.
void LeaveRunningCallback(Machine::State& s, bool ok) {
  u64 obj = s.cb_object;
  // "<callback> returns" in a local buffer: leak checks run at every callback
  // exit and seldom report, so the text should cost no allocation.
  char text[48];
  std::string_view name = CallbackName(s.cb), outcome = ok ? " returns" : " fails";
  std::size_t n = std::min(name.size(), sizeof text - outcome.size());
  name.copy(text, n);
  outcome.copy(text + n, outcome.size());
  std::string_view when(text, n + outcome.size());
  switch (s.cb) {
    case Callback::MiniportInitializeEx: {
      families::NdisFileLeaks(s, obj, when);
      if (!ok) {
        families::NdisIoLeaks(s, obj, when);
        families::NdisIoPortLeaks(s, obj, when);
        families::NdisSharedLeaks(s, obj, when);
      }
      s.FindAdapter(obj)->state = ok ? AdapterState::Running : AdapterState::Halted;
      break;
    }
    case Callback::MiniportHaltEx:
      families::NdisIoLeaks(s, obj, when);
      families::NdisIoPortLeaks(s, obj, when);
      families::NdisSharedLeaks(s, obj, when);
      s.FindAdapter(obj)->state = AdapterState::Halted;
      break;
    case Callback::StartDevice:
      if (!ok) families::MmIoLeaks(s, obj, when);
      if (ok) s.FindWdm(obj)->state = PnpState::Started;
      else if (DDIMAP_MUTANT(wdm_failed_restart_resets)) s.FindWdm(obj)->state = PnpState::Added;
      break;
    case Callback::StopDevice:
      if (!DDIMAP_MUTANT(mm_stop_leak_missed)) families::MmIoLeaks(s, obj, when);
      s.FindWdm(obj)->state = PnpState::Stopped;
      break;
    case Callback::RemoveDevice:
      families::MmIoLeaks(s, obj, when);
      s.FindWdm(obj)->state = PnpState::Removed;
      break;
    case Callback::SurpriseRemoval:
      families::MmIoLeaks(s, obj, when);
      s.FindWdm(obj)->state = PnpState::SurpriseRemoved;
      break;
    case Callback::OnPrepareHardware:
      if (!ok) families::UmdfIoLeaks(s, obj, when);
      s.FindUmdf(obj)->prepared = ok;
      break;
    case Callback::OnReleaseHardware:
      families::UmdfIoLeaks(s, obj, when);
      s.FindUmdf(obj)->prepared = false;
      break;
    case Callback::EvtDevicePrepareHardware:
      // No leak check even on failure: EVT_WDF_DEVICE_PREPARE_HARDWARE, Return
      // value: the framework then calls EvtDeviceReleaseHardware, where the
      // driver unmaps.
      break;
    case Callback::EvtDeviceReleaseHardware:
      if (!DDIMAP_MUTANT(kmdf_release_leak_missed)) families::MmIoLeaks(s, obj, when);
      s.FindWdm(obj)->hardware_prepared = false;
      break;
    case Callback::VideoFindAdapter:
      if (!ok && !DDIMAP_MUTANT(video_base_find_leak_missed)) families::VideoBaseLeaks(s, obj, when);
      break;
    default:
      break;
  }
  s.cb = Callback::None;
  s.cb_object = 0;
}

ControlStatus Machine::LeaveCallback(bool succeeded) {
  if (!s_->Begin(CallId::LeaveCallback, {succeeded})) return ControlStatus::BadState;
  if (s_->cb == Callback::None) return ControlStatus::BadState;
  LeaveRunningCallback(*s_, succeeded);
  return ControlStatus::Ok;
}

}  // namespace ddimap
