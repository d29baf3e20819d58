// The end of a program: everything torn down in documented order, each leak
// reported under its family's LEAK rule, nothing left behind.
#include "families/families.hpp"

namespace ddimap {

void LeaveRunningCallback(Machine::State& s, bool ok);  // lifecycle.cpp

void Machine::Teardown() {
  State& s = *s_;
  if (s.torn_down) return;
  // Leak reports found here carry a call record with seq 0: "at teardown".
  s.cur = CallRecord{};
  s.cur.id = CallId::LeaveCallback;
  s.cur.irql = s.irql;
  auto as_callback = [&](Callback cb, u64 obj) {
    s.cur.callback = cb;
    s.cur.callback_object = obj;
    s.cb = cb;
    s.cb_object = obj;
  };
  if (s.cb != Callback::None) {
    as_callback(s.cb, s.cb_object);
    LeaveRunningCallback(s, true);
  }
  // 1. Halt adapters that are running (their MiniportHaltEx).
  for (std::size_t i = 0; i < s.adapters.size(); ++i) {
    if (s.adapters[i].state != AdapterState::Running) continue;
    as_callback(Callback::MiniportHaltEx, MakeHandle(HandleKind::Adapter, i + 1));
    LeaveRunningCallback(s, true);
  }
  // 2. Files still open (adapter 0: any).
  as_callback(Callback::None, 0);
  families::NdisFileLeaks(s, 0, "the program ends");
  families::NdisFileCloseAll(s);
  // 3. WDM devices: KMDF releases the hardware it prepared, then each device
  //    that is not removed yet is removed, then the driver-wide mappings go,
  //    as the driver unloads.
  for (std::size_t i = 0; i < s.wdm.size(); ++i) {
    if (!s.wdm[i].hardware_prepared) continue;
    as_callback(Callback::EvtDeviceReleaseHardware, MakeHandle(HandleKind::WdmDevice, i + 1));
    LeaveRunningCallback(s, true);
  }
  for (std::size_t i = 0; i < s.wdm.size(); ++i) {
    if (s.wdm[i].state == PnpState::Removed) continue;
    as_callback(Callback::RemoveDevice, MakeHandle(HandleKind::WdmDevice, i + 1));
    LeaveRunningCallback(s, true);
  }
  as_callback(Callback::None, 0);
  families::MmIoLeaks(s, 0, "the driver unloads");
  // 4. UMDF devices: release hardware.
  for (std::size_t i = 0; i < s.umdf.size(); ++i) {
    if (s.umdf[i].live_mappings == 0 && !s.umdf[i].prepared) continue;
    as_callback(Callback::OnReleaseHardware, MakeHandle(HandleKind::UmdfDevice, i + 1));
    LeaveRunningCallback(s, true);
  }
  // 5. Video devices are removed.
  as_callback(Callback::None, 0);
  for (std::size_t i = 0; i < s.video.size(); ++i) {
    families::VideoLeaks(s, MakeHandle(HandleKind::Video, i + 1), 0, "the device is removed");
    families::VideoBaseRemove(s, MakeHandle(HandleKind::Video, i + 1));
  }
  // 6. Processes end.
  s.processes.clear();
  s.cur_process = 0;
  // Adapters halted while still initializing etc. can hold nothing more: any
  // mapping left now would be a bookkeeping bug, caught by CheckInvariants.
  auto free_fn = [&s](const Mapping& m) { s.FreeExtent(m); };
  s.maps.Clear(free_fn);
  s.phys.FreeAll();
  s.files.clear();
  s.tombstones.clear();
  s.ports.clear();  // every adapter was halted above: none is left
  s.released_ports.clear();
  s.io_bases.clear();
  s.released_io_bases.clear();
  s.torn_down = true;
}

}  // namespace ddimap
