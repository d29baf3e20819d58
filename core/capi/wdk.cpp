// The WDK-style C API (ddimap/wdk.h): thin glue from WDK types to the
// Machine methods of the current machine. Guest values (handles, addresses)
// are cast between pointers and u64, never dereferenced; out-pointers are the
// caller's host variables, passed to the core as NULL or a temporary that is
// copied back (so a pointer the core does not write keeps its value).
#include "ddimap/wdk.h"

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "capi/internal.hpp"
#include "capi/resource_store.hpp"
#include "ddimap/machine.hpp"

using ddimap::Machine;
using ddimap::u32;
using ddimap::u64;
using ddimap::capi::Guest;
using ddimap::capi::GuestObject;
using ddimap::capi::HostPtr;
using ddimap::capi::LazyMachine;

static_assert(sizeof(ULONG) == 4 && sizeof(UINT) == 4 && sizeof(USHORT) == 2);
static_assert(sizeof(LARGE_INTEGER) == 8 && sizeof(ULONG64) == 8 && sizeof(SIZE_T) == 8);
static_assert(sizeof(WCHAR) == 2 && sizeof(MEMORY_CACHING_TYPE) == 4);
static_assert(static_cast<u32>(NDIS_STATUS_RESOURCE_CONFLICT) == ddimap::kNdisStatusResourceConflict);
static_assert(static_cast<u32>(NDIS_STATUS_FILE_NOT_FOUND) == ddimap::kNdisStatusFileNotFound);
static_assert(static_cast<u32>(NDIS_STATUS_ERROR_READING_FILE) == ddimap::kNdisStatusErrorReadingFile);
static_assert(static_cast<u32>(NDIS_STATUS_ALREADY_MAPPED) == ddimap::kNdisStatusAlreadyMapped);
static_assert(static_cast<u32>(NDIS_STATUS_RESOURCES) == ddimap::kNdisStatusResources);
static_assert(static_cast<u32>(NDIS_STATUS_FAILURE) == ddimap::kNdisStatusFailure);
static_assert(static_cast<u32>(E_INVALIDARG) == ddimap::kEInvalidArg);
static_assert(static_cast<u32>(E_OUTOFMEMORY) == ddimap::kEOutOfMemory);
static_assert(static_cast<u32>(ERROR_INVALID_PARAMETER) == ddimap::kErrorInvalidParameter);
static_assert(static_cast<u32>(ERROR_MORE_DATA) == ddimap::kErrorMoreData);
static_assert(PAGE_NOCACHE == ddimap::kPageNoCache && PAGE_WRITECOMBINE == ddimap::kPageWriteCombine);
static_assert(PAGE_EXECUTE_READWRITE == ddimap::kPageExecuteReadWrite);
static_assert(VIDEO_MEMORY_SPACE_P6CACHE == ddimap::kVideoMemorySpaceP6Cache);
static_assert(VIDEO_MEMORY_SPACE_USER_MODE == ddimap::kVideoMemorySpaceUserMode);
static_assert(HIGH_LEVEL == ddimap::kHighLevel && DISPATCH_LEVEL == ddimap::kDispatchLevel);

namespace {

u64 Phys(LARGE_INTEGER pa) { return static_cast<u64>(pa.QuadPart); }

// A caller's out-parameter as the core sees it: NULL stays NULL, otherwise a
// temporary holding the caller's current value, copied back afterwards.
template <typename Host, typename Core>
class Out {
 public:
  explicit Out(Host* host) : host_(host) {
    if (host_ != nullptr) value_ = ToCore(*host_);
  }
  ~Out() {
    if (host_ != nullptr) *host_ = ToHost(value_);
  }
  Out(const Out&) = delete;
  Out& operator=(const Out&) = delete;
  Core* get() { return host_ != nullptr ? &value_ : nullptr; }

 private:
  static Core ToCore(Host h) {
    if constexpr (std::is_pointer_v<Host>) {
      return Guest(h);
    } else {
      return static_cast<Core>(h);
    }
  }
  static Host ToHost(Core c) {
    if constexpr (std::is_pointer_v<Host>) {
      return static_cast<Host>(HostPtr(c));
    } else {
      return static_cast<Host>(c);
    }
  }
  Host* host_;
  Core value_{};
};

// A PNDIS_STRING as the core's file name: nullopt for a NULL string or a NULL
// Buffer with a non-zero Length. Reads min(Length, MaximumLength) / 2 WCHARs.
std::optional<std::string> FileNameOf(const NDIS_STRING* s) {
  if (s == nullptr) return std::nullopt;
  const std::size_t bytes = s->Length < s->MaximumLength ? s->Length : s->MaximumLength;
  const std::size_t chars = bytes / sizeof(WCHAR);
  if (s->Length > 0 && s->Buffer == nullptr) return std::nullopt;
  std::string name;
  name.reserve(chars);
  for (std::size_t i = 0; i < chars; ++i) {
    const auto c = static_cast<u32>(s->Buffer[i]);
    name.push_back(c < 0x80 ? static_cast<char>(c) : '?');
  }
  return name;
}

}  // namespace

namespace {

// The machine for a call that may take a resource, told which driver line
// calls it: fault injection's call site (FaultMode::Systematic).
Machine& Sited(void* return_address) {
  Machine& m = LazyMachine();
  m.SetCallSite(reinterpret_cast<std::uintptr_t>(return_address));
  return m;
}

}  // namespace

extern "C" {

// --- NDIS miniport I/O space ---------------------------------------------------------------
NDIS_STATUS NdisMMapIoSpace(PVOID* VirtualAddress, NDIS_HANDLE MiniportAdapterHandle,
                            NDIS_PHYSICAL_ADDRESS PhysicalAddress, UINT Length) {
  Machine& m = Sited(__builtin_return_address(0));
  Out<PVOID, u64> va(VirtualAddress);
  return ddimap::capi::Noted(static_cast<NDIS_STATUS>(
      m.NdisMMapIoSpace(va.get(), Guest(MiniportAdapterHandle), Phys(PhysicalAddress), Length)));
}

void NdisMUnmapIoSpace(NDIS_HANDLE MiniportAdapterHandle, PVOID VirtualAddress, UINT Length) {
  LazyMachine().NdisMUnmapIoSpace(Guest(MiniportAdapterHandle), Guest(VirtualAddress), Length);
}

// --- WDM -------------------------------------------------------------------------------------
PVOID MmMapIoSpace(PHYSICAL_ADDRESS PhysicalAddress, SIZE_T NumberOfBytes,
                   MEMORY_CACHING_TYPE CacheType) {
  Machine& m = Sited(__builtin_return_address(0));
  return HostPtr(ddimap::capi::Noted(
      m.MmMapIoSpace(Phys(PhysicalAddress), NumberOfBytes, static_cast<u64>(static_cast<u32>(CacheType)))));
}

PVOID MmMapIoSpaceEx(PHYSICAL_ADDRESS PhysicalAddress, SIZE_T NumberOfBytes, ULONG Protect) {
  Machine& m = Sited(__builtin_return_address(0));
  return HostPtr(ddimap::capi::Noted(m.MmMapIoSpaceEx(Phys(PhysicalAddress), NumberOfBytes, Protect)));
}

void MmUnmapIoSpace(PVOID BaseAddress, SIZE_T NumberOfBytes) {
  LazyMachine().MmUnmapIoSpace(Guest(BaseAddress), NumberOfBytes);
}

// --- UMDF 1.x ------------------------------------------------------------------------------------
HRESULT IWDFDevice3_MapIoSpace(IWDFDevice3* This, PHYSICAL_ADDRESS PhysicalAddress,
                               SIZE_T NumberOfBytes, MEMORY_CACHING_TYPE CacheType,
                               void** pPseudoBaseAddress) {
  Machine& m = Sited(__builtin_return_address(0));
  Out<void*, u64> pseudo(pPseudoBaseAddress);
  return ddimap::capi::Noted(static_cast<HRESULT>(m.UmdfMapIoSpace(
      Guest(This), Phys(PhysicalAddress), NumberOfBytes, static_cast<u64>(static_cast<u32>(CacheType)), pseudo.get())));
}

void IWDFDevice3_UnmapIoSpace(IWDFDevice3* This, void* PseudoBaseAddress, SIZE_T NumberOfBytes) {
  LazyMachine().UmdfUnmapIoSpace(Guest(This), Guest(PseudoBaseAddress), NumberOfBytes);
}

PVOID IWDFDevice3_GetHardwareRegisterMappedAddress(IWDFDevice3* This, void* PseudoBaseAddress) {
  return HostPtr(
      LazyMachine().UmdfGetHardwareRegisterMappedAddress(Guest(This), Guest(PseudoBaseAddress)));
}

UCHAR IWDFDevice3_READ_REGISTER_UCHAR(IWDFDevice3* This, PUCHAR Register) {
  return ddimap::capi::DeviceValue(ddimap::capi::DeviceSpace::Memory, Guest(Register),
                                   static_cast<UCHAR>(LazyMachine().UmdfReadRegister(Guest(This), Guest(Register), 1)));
}
USHORT IWDFDevice3_READ_REGISTER_USHORT(IWDFDevice3* This, PUSHORT Register) {
  return ddimap::capi::DeviceValue(ddimap::capi::DeviceSpace::Memory, Guest(Register),
                                   static_cast<USHORT>(LazyMachine().UmdfReadRegister(Guest(This), Guest(Register), 2)));
}
ULONG IWDFDevice3_READ_REGISTER_ULONG(IWDFDevice3* This, PULONG Register) {
  return ddimap::capi::DeviceValue(ddimap::capi::DeviceSpace::Memory, Guest(Register),
                                   static_cast<ULONG>(LazyMachine().UmdfReadRegister(Guest(This), Guest(Register), 4)));
}
ULONG64 IWDFDevice3_READ_REGISTER_ULONG64(IWDFDevice3* This, PULONG64 Register) {
  return ddimap::capi::DeviceValue(ddimap::capi::DeviceSpace::Memory, Guest(Register),
                                   static_cast<ULONG64>(LazyMachine().UmdfReadRegister(Guest(This), Guest(Register), 8)));
}
void IWDFDevice3_WRITE_REGISTER_UCHAR(IWDFDevice3* This, PUCHAR Register, UCHAR Value) {
  LazyMachine().UmdfWriteRegister(Guest(This), Guest(Register), 1, Value);
}
void IWDFDevice3_WRITE_REGISTER_USHORT(IWDFDevice3* This, PUSHORT Register, USHORT Value) {
  LazyMachine().UmdfWriteRegister(Guest(This), Guest(Register), 2, Value);
}
void IWDFDevice3_WRITE_REGISTER_ULONG(IWDFDevice3* This, PULONG Register, ULONG Value) {
  LazyMachine().UmdfWriteRegister(Guest(This), Guest(Register), 4, Value);
}
void IWDFDevice3_WRITE_REGISTER_ULONG64(IWDFDevice3* This, PULONG64 Register, ULONG64 Value) {
  LazyMachine().UmdfWriteRegister(Guest(This), Guest(Register), 8, Value);
}

// --- NDIS files ---------------------------------------------------------------------------------------
void NdisOpenFile(PNDIS_STATUS Status, PNDIS_HANDLE FileHandle, PUINT FileLength,
                  PNDIS_STRING FileName, NDIS_PHYSICAL_ADDRESS HighestAcceptableAddress) {
  Machine& m = Sited(__builtin_return_address(0));
  const std::optional<std::string> name = FileNameOf(FileName);
  Out<NDIS_STATUS, ddimap::NdisStatus> status(Status);
  Out<NDIS_HANDLE, u64> handle(FileHandle);
  Out<UINT, u32> length(FileLength);
  std::optional<std::string_view> name_view;
  if (name) name_view = *name;
  m.NdisOpenFile(status.get(), handle.get(), length.get(), name_view,
                 Phys(HighestAcceptableAddress));
  if (Status != nullptr) ddimap::capi::Noted(static_cast<u64>(*status.get()));
}

void NdisMapFile(PNDIS_STATUS Status, PVOID* MappedBuffer, NDIS_HANDLE FileHandle) {
  Machine& m = Sited(__builtin_return_address(0));
  Out<NDIS_STATUS, ddimap::NdisStatus> status(Status);
  Out<PVOID, u64> buffer(MappedBuffer);
  m.NdisMapFile(status.get(), buffer.get(), Guest(FileHandle));
  if (Status != nullptr) ddimap::capi::Noted(static_cast<u64>(*status.get()));
}

void NdisUnmapFile(NDIS_HANDLE FileHandle) { LazyMachine().NdisUnmapFile(Guest(FileHandle)); }

void NdisCloseFile(NDIS_HANDLE FileHandle) { LazyMachine().NdisCloseFile(Guest(FileHandle)); }

// --- video miniport ---------------------------------------------------------------------------------------
VP_STATUS VideoPortMapMemory(PVOID HwDeviceExtension, PHYSICAL_ADDRESS PhysicalAddress,
                             PULONG Length, PULONG InIoSpace, PVOID* VirtualAddress) {
  Machine& m = Sited(__builtin_return_address(0));
  Out<ULONG, u32> length(Length);
  Out<ULONG, u32> in_io_space(InIoSpace);
  Out<PVOID, u64> va(VirtualAddress);
  return ddimap::capi::Noted(static_cast<VP_STATUS>(m.VideoPortMapMemory(
      GuestObject(HwDeviceExtension), Phys(PhysicalAddress), length.get(), in_io_space.get(), va.get())));
}

VP_STATUS VideoPortUnmapMemory(PVOID HwDeviceExtension, PVOID VirtualAddress,
                               HANDLE ProcessHandle) {
  return static_cast<VP_STATUS>(LazyMachine().VideoPortUnmapMemory(
      GuestObject(HwDeviceExtension), Guest(VirtualAddress), Guest(ProcessHandle)));
}

// --- hardware resources and PAGED_CODE ------------------------------------------------------------------
VOID NdisMQueryAdapterResources(PNDIS_STATUS Status, NDIS_HANDLE WrapperConfigurationContext,
                                PNDIS_RESOURCE_LIST ResourceList, PUINT BufferSize) {
  Machine& m = LazyMachine();
  Out<NDIS_STATUS, ddimap::NdisStatus> status(Status);
  Out<UINT, u32> size(BufferSize);
  u32 count = 0;
  const ddimap::NdisStatus st = m.NdisMQueryAdapterResources(
      status.get(), Guest(WrapperConfigurationContext), ResourceList != nullptr ? &count : nullptr, size.get());
  // The core decided the call and the size; the bytes are the C API's to write.
  if (st == ddimap::kNdisStatusSuccess && ResourceList != nullptr)
    ddimap::capi::FillResourceList(m, Guest(WrapperConfigurationContext), ResourceList, count);
}

ULONG WdfCmResourceListGetCount(WDFCMRESLIST List) {
  return static_cast<ULONG>(LazyMachine().WdfCmResourceListGetCount(Guest(List)));
}

PCM_PARTIAL_RESOURCE_DESCRIPTOR WdfCmResourceListGetDescriptor(WDFCMRESLIST List, ULONG Index) {
  Machine& m = LazyMachine();
  if (m.WdfCmResourceListGetDescriptor(Guest(List), Index) == ddimap::kCmResourceTypeNull) return nullptr;
  return ddimap::capi::StoredDescriptor(m, Guest(List), Index);
}

VP_STATUS VideoPortGetAccessRanges(PVOID HwDeviceExtension, ULONG NumRequestedResources,
                                   PIO_RESOURCE_DESCRIPTOR RequestedResources, ULONG NumAccessRanges,
                                   PVIDEO_ACCESS_RANGE AccessRanges, PVOID VendorId, PVOID DeviceId,
                                   PULONG Slot) {
  Machine& m = LazyMachine();
  Out<ULONG, u32> slot(Slot);
  u32 filled = 0;
  const ddimap::VpStatus st = m.VideoPortGetAccessRanges(
      GuestObject(HwDeviceExtension), NumRequestedResources, RequestedResources != nullptr, NumAccessRanges,
      AccessRanges != nullptr ? &filled : nullptr, VendorId != nullptr, DeviceId != nullptr, slot.get());
  if (st == ddimap::kNoError && AccessRanges != nullptr)
    ddimap::capi::FillAccessRanges(m, GuestObject(HwDeviceExtension), AccessRanges, filled);
  return static_cast<VP_STATUS>(st);
}

void ddimap_paged_code(void) { LazyMachine().PagedCode(); }

// --- register and buffer access --------------------------------------------------------------------------
UCHAR READ_REGISTER_UCHAR(volatile UCHAR* Register) {
  return ddimap::capi::DeviceValue(ddimap::capi::DeviceSpace::Memory, Guest(Register),
                                     static_cast<UCHAR>(LazyMachine().Read(Guest(Register), 1)));
}
USHORT READ_REGISTER_USHORT(volatile USHORT* Register) {
  return ddimap::capi::DeviceValue(ddimap::capi::DeviceSpace::Memory, Guest(Register),
                                     static_cast<USHORT>(LazyMachine().Read(Guest(Register), 2)));
}
ULONG READ_REGISTER_ULONG(volatile ULONG* Register) {
  return ddimap::capi::DeviceValue(ddimap::capi::DeviceSpace::Memory, Guest(Register),
                                     static_cast<ULONG>(LazyMachine().Read(Guest(Register), 4)));
}
ULONG64 READ_REGISTER_ULONG64(volatile ULONG64* Register) {
  return ddimap::capi::DeviceValue(ddimap::capi::DeviceSpace::Memory, Guest(Register),
                                   static_cast<ULONG64>(LazyMachine().Read(Guest(Register), 8)));
}
void WRITE_REGISTER_UCHAR(volatile UCHAR* Register, UCHAR Value) {
  LazyMachine().Write(Guest(Register), 1, Value);
}
void WRITE_REGISTER_USHORT(volatile USHORT* Register, USHORT Value) {
  LazyMachine().Write(Guest(Register), 2, Value);
}
void WRITE_REGISTER_ULONG(volatile ULONG* Register, ULONG Value) {
  LazyMachine().Write(Guest(Register), 4, Value);
}
void WRITE_REGISTER_ULONG64(volatile ULONG64* Register, ULONG64 Value) {
  LazyMachine().Write(Guest(Register), 8, Value);
}

UCHAR VideoPortReadRegisterUchar(PUCHAR Register) { return READ_REGISTER_UCHAR(Register); }
USHORT VideoPortReadRegisterUshort(PUSHORT Register) { return READ_REGISTER_USHORT(Register); }
ULONG VideoPortReadRegisterUlong(PULONG Register) { return READ_REGISTER_ULONG(Register); }
void VideoPortWriteRegisterUchar(PUCHAR Register, UCHAR Value) {
  WRITE_REGISTER_UCHAR(Register, Value);
}
void VideoPortWriteRegisterUshort(PUSHORT Register, USHORT Value) {
  WRITE_REGISTER_USHORT(Register, Value);
}
void VideoPortWriteRegisterUlong(PULONG Register, ULONG Value) {
  WRITE_REGISTER_ULONG(Register, Value);
}

// --- port I/O ----------------------------------------------------------------------------------
// Each name is its own row of the call table; the core takes the row's id.
namespace {
u64 PortNumber(const volatile void* p) { return Guest(p); }
}  // namespace

UCHAR READ_PORT_UCHAR(PUCHAR Port) {
  return ddimap::capi::DeviceValue(ddimap::capi::DeviceSpace::Port, PortNumber(Port),
                                   static_cast<UCHAR>(LazyMachine().ReadPort(ddimap::CallId::ReadPortUchar, PortNumber(Port))));
}
USHORT READ_PORT_USHORT(PUSHORT Port) {
  return ddimap::capi::DeviceValue(ddimap::capi::DeviceSpace::Port, PortNumber(Port),
                                   static_cast<USHORT>(LazyMachine().ReadPort(ddimap::CallId::ReadPortUshort, PortNumber(Port))));
}
ULONG READ_PORT_ULONG(PULONG Port) {
  return ddimap::capi::DeviceValue(ddimap::capi::DeviceSpace::Port, PortNumber(Port),
                                   static_cast<ULONG>(LazyMachine().ReadPort(ddimap::CallId::ReadPortUlong, PortNumber(Port))));
}
void WRITE_PORT_UCHAR(PUCHAR Port, UCHAR Value) {
  LazyMachine().WritePort(ddimap::CallId::WritePortUchar, PortNumber(Port), Value);
}
void WRITE_PORT_USHORT(PUSHORT Port, USHORT Value) {
  LazyMachine().WritePort(ddimap::CallId::WritePortUshort, PortNumber(Port), Value);
}
void WRITE_PORT_ULONG(PULONG Port, ULONG Value) {
  LazyMachine().WritePort(ddimap::CallId::WritePortUlong, PortNumber(Port), Value);
}
void READ_PORT_BUFFER_UCHAR(PUCHAR Port, PUCHAR Buffer, ULONG Count) {
  LazyMachine().ReadPortBuffer(ddimap::CallId::ReadPortBufferUchar, PortNumber(Port), Buffer, Count);
}
void READ_PORT_BUFFER_USHORT(PUSHORT Port, PUSHORT Buffer, ULONG Count) {
  LazyMachine().ReadPortBuffer(ddimap::CallId::ReadPortBufferUshort, PortNumber(Port), Buffer, Count);
}
void READ_PORT_BUFFER_ULONG(PULONG Port, PULONG Buffer, ULONG Count) {
  LazyMachine().ReadPortBuffer(ddimap::CallId::ReadPortBufferUlong, PortNumber(Port), Buffer, Count);
}
void WRITE_PORT_BUFFER_UCHAR(PUCHAR Port, PUCHAR Buffer, ULONG Count) {
  LazyMachine().WritePortBuffer(ddimap::CallId::WritePortBufferUchar, PortNumber(Port), Buffer, Count);
}
void WRITE_PORT_BUFFER_USHORT(PUSHORT Port, PUSHORT Buffer, ULONG Count) {
  LazyMachine().WritePortBuffer(ddimap::CallId::WritePortBufferUshort, PortNumber(Port), Buffer, Count);
}
void WRITE_PORT_BUFFER_ULONG(PULONG Port, PULONG Buffer, ULONG Count) {
  LazyMachine().WritePortBuffer(ddimap::CallId::WritePortBufferUlong, PortNumber(Port), Buffer, Count);
}

void NdisRawReadPortUchar(ULONG_PTR Port, PUCHAR Data) {
  LazyMachine().ReadPortBuffer(ddimap::CallId::NdisRawReadPortUchar, Port, Data, 1);
  if (Data != nullptr) *Data = ddimap::capi::DeviceValue(ddimap::capi::DeviceSpace::Port, Port, *Data);
}
void NdisRawReadPortUshort(ULONG_PTR Port, PUSHORT Data) {
  LazyMachine().ReadPortBuffer(ddimap::CallId::NdisRawReadPortUshort, Port, Data, 1);
  if (Data != nullptr) *Data = ddimap::capi::DeviceValue(ddimap::capi::DeviceSpace::Port, Port, *Data);
}
void NdisRawReadPortUlong(ULONG_PTR Port, PULONG Data) {
  LazyMachine().ReadPortBuffer(ddimap::CallId::NdisRawReadPortUlong, Port, Data, 1);
  if (Data != nullptr) *Data = ddimap::capi::DeviceValue(ddimap::capi::DeviceSpace::Port, Port, *Data);
}
void NdisRawWritePortUchar(ULONG_PTR Port, UCHAR Data) {
  LazyMachine().WritePort(ddimap::CallId::NdisRawWritePortUchar, Port, Data);
}
void NdisRawWritePortUshort(ULONG_PTR Port, USHORT Data) {
  LazyMachine().WritePort(ddimap::CallId::NdisRawWritePortUshort, Port, Data);
}
void NdisRawWritePortUlong(ULONG_PTR Port, ULONG Data) {
  LazyMachine().WritePort(ddimap::CallId::NdisRawWritePortUlong, Port, Data);
}
void NdisRawReadPortBufferUchar(ULONG_PTR Port, PUCHAR Buffer, ULONG Length) {
  LazyMachine().ReadPortBuffer(ddimap::CallId::NdisRawReadPortBufferUchar, Port, Buffer, Length);
}
void NdisRawReadPortBufferUshort(ULONG_PTR Port, PUSHORT Buffer, ULONG Length) {
  LazyMachine().ReadPortBuffer(ddimap::CallId::NdisRawReadPortBufferUshort, Port, Buffer, Length);
}
void NdisRawReadPortBufferUlong(ULONG_PTR Port, PULONG Buffer, ULONG Length) {
  LazyMachine().ReadPortBuffer(ddimap::CallId::NdisRawReadPortBufferUlong, Port, Buffer, Length);
}
void NdisRawWritePortBufferUchar(ULONG_PTR Port, PUCHAR Buffer, ULONG Length) {
  LazyMachine().WritePortBuffer(ddimap::CallId::NdisRawWritePortBufferUchar, Port, Buffer, Length);
}
void NdisRawWritePortBufferUshort(ULONG_PTR Port, PUSHORT Buffer, ULONG Length) {
  LazyMachine().WritePortBuffer(ddimap::CallId::NdisRawWritePortBufferUshort, Port, Buffer, Length);
}
void NdisRawWritePortBufferUlong(ULONG_PTR Port, PULONG Buffer, ULONG Length) {
  LazyMachine().WritePortBuffer(ddimap::CallId::NdisRawWritePortBufferUlong, Port, Buffer, Length);
}

UCHAR VideoPortReadPortUchar(PUCHAR Port) {
  return ddimap::capi::DeviceValue(ddimap::capi::DeviceSpace::Port, PortNumber(Port),
                                   static_cast<UCHAR>(LazyMachine().ReadPort(ddimap::CallId::VideoPortReadPortUchar, PortNumber(Port))));
}
USHORT VideoPortReadPortUshort(PUSHORT Port) {
  return ddimap::capi::DeviceValue(ddimap::capi::DeviceSpace::Port, PortNumber(Port),
                                   static_cast<USHORT>(LazyMachine().ReadPort(ddimap::CallId::VideoPortReadPortUshort, PortNumber(Port))));
}
ULONG VideoPortReadPortUlong(PULONG Port) {
  return ddimap::capi::DeviceValue(ddimap::capi::DeviceSpace::Port, PortNumber(Port),
                                   static_cast<ULONG>(LazyMachine().ReadPort(ddimap::CallId::VideoPortReadPortUlong, PortNumber(Port))));
}
void VideoPortWritePortUchar(PUCHAR Port, UCHAR Value) {
  LazyMachine().WritePort(ddimap::CallId::VideoPortWritePortUchar, PortNumber(Port), Value);
}
void VideoPortWritePortUshort(PUSHORT Port, USHORT Value) {
  LazyMachine().WritePort(ddimap::CallId::VideoPortWritePortUshort, PortNumber(Port), Value);
}
void VideoPortWritePortUlong(PULONG Port, ULONG Value) {
  LazyMachine().WritePort(ddimap::CallId::VideoPortWritePortUlong, PortNumber(Port), Value);
}
void VideoPortReadPortBufferUchar(PUCHAR Port, PUCHAR Buffer, ULONG Count) {
  LazyMachine().ReadPortBuffer(ddimap::CallId::VideoPortReadPortBufferUchar, PortNumber(Port), Buffer, Count);
}
void VideoPortReadPortBufferUshort(PUSHORT Port, PUSHORT Buffer, ULONG Count) {
  LazyMachine().ReadPortBuffer(ddimap::CallId::VideoPortReadPortBufferUshort, PortNumber(Port), Buffer, Count);
}
void VideoPortReadPortBufferUlong(PULONG Port, PULONG Buffer, ULONG Count) {
  LazyMachine().ReadPortBuffer(ddimap::CallId::VideoPortReadPortBufferUlong, PortNumber(Port), Buffer, Count);
}
void VideoPortWritePortBufferUchar(PUCHAR Port, PUCHAR Buffer, ULONG Count) {
  LazyMachine().WritePortBuffer(ddimap::CallId::VideoPortWritePortBufferUchar, PortNumber(Port), Buffer, Count);
}
void VideoPortWritePortBufferUshort(PUSHORT Port, PUSHORT Buffer, ULONG Count) {
  LazyMachine().WritePortBuffer(ddimap::CallId::VideoPortWritePortBufferUshort, PortNumber(Port), Buffer, Count);
}
void VideoPortWritePortBufferUlong(PULONG Port, PULONG Buffer, ULONG Count) {
  LazyMachine().WritePortBuffer(ddimap::CallId::VideoPortWritePortBufferUlong, PortNumber(Port), Buffer, Count);
}

// --- NDIS I/O port ranges ------------------------------------------------------------------------
NDIS_STATUS NdisMRegisterIoPortRange(PVOID* PortOffset, NDIS_HANDLE MiniportAdapterHandle, UINT InitialPort,
                                     UINT NumberOfPorts) {
  Machine& m = Sited(__builtin_return_address(0));
  Out<PVOID, u64> offset(PortOffset);
  return ddimap::capi::Noted(static_cast<NDIS_STATUS>(
      m.NdisMRegisterIoPortRange(offset.get(), Guest(MiniportAdapterHandle), InitialPort, NumberOfPorts)));
}

VOID NdisMDeregisterIoPortRange(NDIS_HANDLE MiniportAdapterHandle, UINT InitialPort, UINT NumberOfPorts,
                                PVOID PortOffset) {
  LazyMachine().NdisMDeregisterIoPortRange(Guest(MiniportAdapterHandle), InitialPort, NumberOfPorts,
                                           Guest(PortOffset));
}

// --- video device base ----------------------------------------------------------------------------------
PVOID VideoPortGetDeviceBase(PVOID HwDeviceExtension, PHYSICAL_ADDRESS IoAddress, ULONG NumberOfUchars,
                             UCHAR InIoSpace) {
  Machine& m = Sited(__builtin_return_address(0));
  return HostPtr(ddimap::capi::Noted(
      m.VideoPortGetDeviceBase(GuestObject(HwDeviceExtension), Phys(IoAddress), NumberOfUchars, InIoSpace)));
}

VOID VideoPortFreeDeviceBase(PVOID HwDeviceExtension, PVOID MappedAddress) {
  LazyMachine().VideoPortFreeDeviceBase(GuestObject(HwDeviceExtension), Guest(MappedAddress));
}

// --- NDIS shared memory -----------------------------------------------------------------------------------
VOID NdisMAllocateSharedMemory(NDIS_HANDLE MiniportAdapterHandle, ULONG Length, BOOLEAN Cached,
                               PVOID* VirtualAddress, PNDIS_PHYSICAL_ADDRESS PhysicalAddress) {
  Machine& m = Sited(__builtin_return_address(0));
  u64 va = 0, pa = 0;
  m.NdisMAllocateSharedMemory(Guest(MiniportAdapterHandle), Length, Cached != 0,
                              VirtualAddress != nullptr ? &va : nullptr,
                              PhysicalAddress != nullptr ? &pa : nullptr);
  if (PhysicalAddress != nullptr) PhysicalAddress->QuadPart = static_cast<LONGLONG>(pa);
  if (VirtualAddress != nullptr)
    *VirtualAddress = va != 0 ? ddimap::capi::AdoptSharedMemory(va, Length) : nullptr;
  ddimap::capi::Noted(va);
}

VOID NdisMFreeSharedMemory(NDIS_HANDLE MiniportAdapterHandle, ULONG Length, BOOLEAN Cached,
                           PVOID VirtualAddress, NDIS_PHYSICAL_ADDRESS PhysicalAddress) {
  Machine& m = LazyMachine();
  // A released allocation is one mapping change; a refused free makes none.
  const u64 before = m.mapping_changes();
  m.NdisMFreeSharedMemory(Guest(MiniportAdapterHandle), Length, Cached != 0,
                          ddimap::capi::GuestOfShared(VirtualAddress), Phys(PhysicalAddress));
  if (m.mapping_changes() != before) ddimap::capi::ForgetSharedMemory(VirtualAddress);
}

// --- IRQL ---------------------------------------------------------------------------------------------------
KIRQL KeGetCurrentIrql(void) { return LazyMachine().irql(); }

void KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql) {
  Machine& m = LazyMachine();
  if (OldIrql != nullptr) *OldIrql = m.irql();
  m.SetIrql(NewIrql);
}

void KeLowerIrql(KIRQL NewIrql) { LazyMachine().SetIrql(NewIrql); }

void KeInitializeSpinLock(PKSPIN_LOCK SpinLock) {
  if (SpinLock != nullptr) *SpinLock = 0;
}

KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock) {
  (void)SpinLock;
  KIRQL old = PASSIVE_LEVEL;
  KeRaiseIrql(DISPATCH_LEVEL, &old);
  return old;
}

void KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql) {
  (void)SpinLock;
  KeLowerIrql(NewIrql);
}

void KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock) { (void)SpinLock; }
void KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock) { (void)SpinLock; }
void KeStallExecutionProcessor(ULONG MicroSeconds) { (void)MicroSeconds; }

}  // extern "C"
