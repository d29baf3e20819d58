// Building the machine: RAM, devices, resources and the file table (sem "The machine").
#include "model_internal.hpp"
#include "oracle.hpp"

namespace ddimap::oracle {

using detail::FindBy;

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
  const bool device = FindBy(adapters_, &Adapter::handle, object) ||
                      FindBy(wdm_, &WdmDevice::handle, object) ||
                      FindBy(umdf_, &UmdfDevice::handle, object) ||
                      FindBy(video_, &VideoDevice::handle, object);
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
  if (name.empty() || FindBy(file_table_, &TableFile::name, name) || length > (16u << 20))
    return ControlStatus::BadArgument;
  file_table_.push_back({std::string(name), length, readable});
  return ControlStatus::Ok;
}

}  // namespace ddimap::oracle
