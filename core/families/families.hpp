// Family hooks the lifecycle and teardown code calls: each releases what a
// family's contract says must be gone at that point, reporting each leak.
#pragma once

#include "machine/state.hpp"

namespace ddimap::families {

// The bytes of a file of the simulated file table (a fixed function of its
// name and offset).
std::shared_ptr<const std::vector<u8>> FileContent(std::string_view name, u32 length);

void NdisIoLeaks(Machine::State& s, u64 adapter, std::string_view when);
// The adapter's live port registrations (ports.cpp), after its mappings.
void NdisIoPortLeaks(Machine::State& s, u64 adapter, std::string_view when);
// The oldest live port registration holding `port`, or nullptr: a memory
// unmap given a PortOffset reports it as another family's.
const PortRange* LivePortRange(const Machine::State& s, u64 port);
// Reports each open file of `adapter` (0: any) not reported before. The files
// stay open: the handle is still valid, so the driver may close it later.
void NdisFileLeaks(Machine::State& s, u64 adapter, std::string_view when);
// Closes every open file without a report (teardown, after NdisFileLeaks).
void NdisFileCloseAll(Machine::State& s);
// device == 0: the driver-wide mappings made outside any start IRP.
void MmIoLeaks(Machine::State& s, u64 device, std::string_view when);
void UmdfIoLeaks(Machine::State& s, u64 device, std::string_view when);
// process != 0: only the user mappings of that process (any device).
void VideoLeaks(Machine::State& s, u64 device, u64 process, std::string_view when);
// The device's VideoPortGetDeviceBase mappings (address order), then its
// I/O-space bases (creation order).
void VideoBaseLeaks(Machine::State& s, u64 device, std::string_view when);
// Fault injection: true when the current call is to fail as if resources had
// run out (MachineOptions::faults), and keeps its call record. Inline
// for the common case, faults off, on every mapping call's path.
bool DrawFault(Machine::State& s);
inline bool InjectFault(Machine::State& s) { return s.opt.faults != FaultMode::Off && DrawFault(s); }
// Releases the device's bases without a report (device removal).
void VideoBaseRemove(Machine::State& s, u64 device);
void NdisSharedLeaks(Machine::State& s, u64 adapter, std::string_view when);

}  // namespace ddimap::families
