// The machine's lifecycle: IRQL, processes, driver callbacks with the leak reports their end
// brings, and teardown (sem "Teardown order").
#include "model_internal.hpp"
#include "oracle.hpp"

namespace ddimap::oracle {

using detail::FindBy;

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
  Process* p = FindBy(processes_, &Process::handle, process);
  if (!p || !p->live) return ControlStatus::BadObject;
  // sem VIDEO leaks: user mappings of a process that exits -> VIDEO.LEAK, then released
  for (u64 id : IdsByAddress(Family::Video, 0, process)) {
    Report(RuleId::VideoLeak, FindBy(live_, &Mapping::id, id));
    Release(id);
  }
  p->live = false;
  Bury(process);
  if (current_process_ == process) current_process_ = 0;  // reading: detaches
  return ControlStatus::Ok;
}

ControlStatus Model::AttachProcess(u64 process) {
  if (!Begin()) return ControlStatus::BadState;
  if (process == 0) {
    current_process_ = 0;
    return ControlStatus::Ok;
  }
  Process* p = FindBy(processes_, &Process::handle, process);
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
      Adapter* a = FindBy(adapters_, &Adapter::handle, object);
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
      WdmDevice* d = FindBy(wdm_, &WdmDevice::handle, object);
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
      UmdfDevice* d = FindBy(umdf_, &UmdfDevice::handle, object);
      if (!d) return ControlStatus::BadObject;
      if (cb == Callback::OnPrepareHardware && d->state != UmdfState::Created)
        return ControlStatus::BadState;
      if (cb == Callback::OnReleaseHardware && d->state != UmdfState::Prepared)
        return ControlStatus::BadState;
      break;
    }
    case Callback::VideoStartIo:
    case Callback::VideoFindAdapter:
      if (!FindBy(video_, &VideoDevice::handle, object)) return ControlStatus::BadObject;
      break;
    case Callback::EvtDevicePrepareHardware: {
      WdmDevice* d = FindBy(wdm_, &WdmDevice::handle, object);
      if (!d) return ControlStatus::BadObject;
      // sem "KMDF hardware callbacks": prepare again only after release; never on a removed device
      if (d->kmdf_prepared || d->state == WdmState::Removed) return ControlStatus::BadState;
      d->kmdf_prepared = true;
      break;
    }
    case Callback::EvtDeviceReleaseHardware: {
      WdmDevice* d = FindBy(wdm_, &WdmDevice::handle, object);
      if (!d) return ControlStatus::BadObject;
      if (!d->kmdf_prepared) return ControlStatus::BadState;
      break;
    }
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
      Adapter* a = FindBy(adapters_, &Adapter::handle, obj);
      // sem: leaving MiniportInitializeEx (either outcome) with files of that adapter open ->
      // NDIS_FILE.LEAK per file; the file stays open (and mapped), reported at most once.
      // decided (docs/semantics.md, Smaller decisions, order of several leaks): file leaks before mapping leaks.
      for (auto& f : files_)
        if (f.open && f.adapter == obj && !f.leak_reported) {
          ReportFileLeak(f);
          f.leak_reported = true;
        }
      // decided (docs/semantics.md, Smaller decisions, order of several leaks): I/O space, then shared memory
      if (!succeeded) {
        LeakMappings(Family::NdisIo, obj, RuleId::NdisIoLeak);
        LeakPorts(obj);  // sem "Port I/O": port ranges after mappings
        LeakMappings(Family::NdisShared, obj, RuleId::NdisSharedLeak);
      }
      if (a) a->state = succeeded ? AdapterState::Running : AdapterState::Halted;
      break;
    }
    case Callback::MiniportHaltEx: {
      LeakMappings(Family::NdisIo, obj, RuleId::NdisIoLeak);
      LeakPorts(obj);
      LeakMappings(Family::NdisShared, obj, RuleId::NdisSharedLeak);
      if (Adapter* a = FindBy(adapters_, &Adapter::handle, obj)) a->state = AdapterState::Halted;
      break;
    }
    case Callback::StartDevice: {
      WdmDevice* d = FindBy(wdm_, &WdmDevice::handle, obj);
      if (!succeeded) LeakMappings(Family::MmIo, obj, RuleId::MmIoLeak);
      // decided (docs/semantics.md, Smaller decisions, a failing restart): the state it started from (added or stopped)
      if (d && succeeded) d->state = WdmState::Started;
      break;
    }
    case Callback::StopDevice:
    case Callback::RemoveDevice:
    case Callback::SurpriseRemoval: {
      LeakMappings(Family::MmIo, obj, RuleId::MmIoLeak);
      if (WdmDevice* d = FindBy(wdm_, &WdmDevice::handle, obj))
        d->state = cb == Callback::StopDevice     ? WdmState::Stopped
                   : cb == Callback::RemoveDevice ? WdmState::Removed
                                                  : WdmState::SurpriseRemoved;
      break;
    }
    case Callback::OnPrepareHardware: {
      if (!succeeded) LeakMappings(Family::UmdfIo, obj, RuleId::UmdfIoLeak);
      if (UmdfDevice* d = FindBy(umdf_, &UmdfDevice::handle, obj))
        d->state = succeeded ? UmdfState::Prepared : UmdfState::Created;
      break;
    }
    case Callback::OnReleaseHardware: {
      LeakMappings(Family::UmdfIo, obj, RuleId::UmdfIoLeak);
      if (UmdfDevice* d = FindBy(umdf_, &UmdfDevice::handle, obj)) d->state = UmdfState::Created;
      break;
    }
    case Callback::EvtDevicePrepareHardware:
      // sem "KMDF hardware callbacks": a failed prepare leaks nothing yet; release follows
      break;
    case Callback::EvtDeviceReleaseHardware: {
      LeakMappings(Family::MmIo, obj, RuleId::MmIoLeak);
      if (WdmDevice* d = FindBy(wdm_, &WdmDevice::handle, obj)) d->kmdf_prepared = false;
      break;
    }
    case Callback::VideoFindAdapter:
      // sem VIDEO_BASE leaks: a failing HwVidFindAdapter leaves no device base of its device
      if (!succeeded) {
        LeakMappings(Family::VideoBase, obj, RuleId::VideoBaseLeak);
        LeakPortBases(obj);
      }
      break;
    case Callback::VideoStartIo:
    case Callback::None:
      break;
  }
  callback_ = Callback::None;
  callback_object_ = 0;
  return ControlStatus::Ok;
}

// ---------------------------------------------------------------------------
// teardown (sem "Teardown order")

void Model::Teardown() {
  if (torn_down_) return;
  in_teardown_ = true;  // sem "Report format": what happens now is "at teardown", call 0
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
      LeakPorts(a.handle);
      LeakMappings(Family::NdisShared, a.handle, RuleId::NdisSharedLeak);
      a.state = AdapterState::Halted;
    }
  // report files still open and not reported yet, then close every file silently
  for (auto& f : files_)
    if (f.open && !f.leak_reported) {
      ReportFileLeak(f);
      f.leak_reported = true;
    }
  for (auto& f : files_)
    if (f.open) CloseFileNow(f);
  // KMDF releases the hardware it prepared, then WDM devices are removed, then driver-wide MM mappings
  for (auto& d : wdm_)
    if (d.kmdf_prepared) {
      LeakMappings(Family::MmIo, d.handle, RuleId::MmIoLeak);
      d.kmdf_prepared = false;
    }
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
  // sem VIDEO_BASE leaks: removal reports the device's VideoPortMapMemory mappings only; its device bases
  // are the port driver's to release (VideoPortFreeDeviceBase asks for a free only in a failing HwVidFindAdapter)
  for (auto& d : video_) {
    LeakMappings(Family::Video, d.handle, RuleId::VideoLeak);
    for (u64 id : IdsByAddress(Family::VideoBase, d.handle, 0)) Release(id);
  }
  // end processes
  for (auto& p : processes_) p.live = false;
  current_process_ = 0;
  // anything still live (should be nothing) goes too, then the quarantine and device memory
  if (!live_.empty()) ++mapping_changes_;
  live_.clear();
  quarantine_.clear();
  buried_.clear();
  port_regs_.clear();
  released_regs_.clear();
  port_bases_.clear();
  freed_port_bases_.clear();
  device_memory_.clear();
  in_teardown_ = false;
  torn_down_ = true;
}

}  // namespace ddimap::oracle
