// Internals shared by the C API glue (wdk.cpp, control.cpp) and its tests:
// the process-global current machine, guest-value conversions, and the
// DDIMAP_OPTIONS parser (a pure function, so it can be unit-tested).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "ddimap/machine.hpp"
#include "ddimap/options.hpp"

namespace ddimap::capi {

static_assert(sizeof(std::uintptr_t) == sizeof(u64),
              "the C API passes 64-bit guest values through pointers: 64-bit hosts only");

// Guest values travel through the C API as pointer types; they are never
// dereferenced on the host.
inline u64 Guest(const volatile void* p) { return reinterpret_cast<std::uintptr_t>(p); }
inline void* HostPtr(u64 v) { return reinterpret_cast<void*>(static_cast<std::uintptr_t>(v)); }

// --- host objects: driver-visible memory that stands for a guest object ------------
// A video miniport dereferences its HwDeviceExtension as its own structure, so
// the C API hands it host memory of the size it asked for and keeps which
// guest device that memory stands for (host_objects.cpp). Every C function that
// takes an object translates through GuestObject: a registered host object
// gives its guest handle, anything else passes through unchanged (an opaque
// guest handle keeps working, an unknown pointer is reported by the core).
void* NewHostObject(u64 guest, std::size_t size);
u64 GuestObject(const volatile void* p);
// Frees every host object; the current machine is being destroyed.
void ReleaseHostObjects();
// Forgets the NDIS adapter contexts of the machine being destroyed (ndis_driver.cpp).
void ReleaseNdisAdapters();
// Frees the KMDF devices of the machine being destroyed (kmdf_driver.cpp).
void ReleaseKmdfDevices();
// Forgets the video adapters of the machine being destroyed (video_driver.cpp).
void ReleaseVideoAdapters();

// --- DDIMAP_OPTIONS ----------------------------------------------------------------
// The parser is ddimap/options.hpp's; the C API and its tests name it here.
using ddimap::FormatOptionsError;
using ddimap::kMaxQuarantine;
using ddimap::OptionsError;
using ddimap::ParseOptions;

// The C API's defaults: policy record, reports printed to stderr.
MachineOptions DefaultOptions();

// --- the current machine -------------------------------------------------------------
// nullptr when there is none.
Machine* CurrentMachine();

// --- NDIS shared memory in host memory (shared_memory.cpp) -------------------------
// Drivers write descriptors into shared memory with plain C stores, so the C
// API hands out host memory for each guest allocation of the core, which keeps
// its guest addresses. Each block is zero-filled and page-aligned.
// A host block for the guest allocation at `guest` (`length` > 0 bytes).
void* AdoptSharedMemory(u64 guest, u64 length);
// The guest address a host pointer stands for: inside a live block, the same
// offset into its guest allocation; the base of a block already freed, its
// guest base (so a second free is reported as one); else the pointer's value.
u64 GuestOfShared(const void* host);
// Frees the live block whose base is `host` (after the core freed its guest allocation).
void ForgetSharedMemory(const void* host);
// Frees every block: the machine they belonged to is gone.
void ReleaseAllSharedMemory();
// --- instruments for the driver fuzzing kit (harnesses/driver) -------------------------
// A fuzzer plays the device: what each register or port read returns is the
// reader's answer (given the model's value); a tracer is told the result of
// each call that reads, maps, opens, allocates or registers, and polled
// between calls (before each WDK function, before a runner leaves the driver's
// callback), when Machine::last_call() holds the call just made. All off
// (nullptr) unless the kit sets them; process-global like the machine. Only
// the C API pays for them: the core's calls are untouched.
enum class DeviceSpace : u8 { Memory, Port };
using DeviceReader = u64 (*)(void* context, DeviceSpace space, u64 address, unsigned width, u64 value);
using ResultNote = void (*)(void* context, u64 result);
using Poll = void (*)(void* context);
struct Instruments {
  DeviceReader read = nullptr;
  ResultNote note = nullptr;
  Poll poll = nullptr;
  void* context = nullptr;
};
extern Instruments g_instruments;
inline void PollInstruments() {
  if (g_instruments.poll != nullptr) [[unlikely]]
    g_instruments.poll(g_instruments.context);
}
template <typename T>
T Noted(T result) {
  if (g_instruments.note != nullptr) [[unlikely]]  // a status as its 32 bits, not sign-extended
    g_instruments.note(g_instruments.context, static_cast<u64>(static_cast<std::make_unsigned_t<T>>(result)));
  return result;
}
template <typename T>
T DeviceValue(DeviceSpace space, u64 address, T value) {
  if (g_instruments.read != nullptr) [[unlikely]]
    value = static_cast<T>(g_instruments.read(g_instruments.context, space, address, sizeof(T), value));
  return Noted(value);
}

// The current machine, created from DDIMAP_OPTIONS first when there is none
// (an invalid DDIMAP_OPTIONS is printed, then the defaults are used).
Machine& LazyMachine();

}  // namespace ddimap::capi
