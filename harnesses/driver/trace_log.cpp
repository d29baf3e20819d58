#include "driver/trace_log.hpp"

#include <cstdio>

#include "ddimap/calls.hpp"

namespace ddimap::fuzz_driver {
namespace {

std::string IrqlName(unsigned irql) {
  switch (irql) {
    case 0: return "PASSIVE_LEVEL";
    case 1: return "APC_LEVEL";
    case 2: return "DISPATCH_LEVEL";
    default: return "DIRQL " + std::to_string(irql);
  }
}

}  // namespace

void TraceLog::Poll(bool completed) {
  if (!on_ || m_ == nullptr) return;
  const CallRecord& c = m_->last_call();
  if (c.seq != last_seq_) {
    last_seq_ = c.seq;
    if (in_driver_) OnCall(c);
  }
  if (completed) Flush();
}

void TraceLog::Header(const char* driver, std::size_t size) {
  if (on_) Print(std::string("ddimap-fuzz: ") + driver + ": an input of " + std::to_string(size) + " bytes");
}

void TraceLog::StepAt(const char* what, unsigned irql) {
  if (!on_) return;
  Flush();
  Print("[" + std::to_string(++steps_) + "] " + what + " at " + IrqlName(irql));
}

void TraceLog::Event(const char* what) {
  if (!on_) return;
  Flush();
  Print("[" + std::to_string(++steps_) + "] " + what);
}

void TraceLog::StepIoctl(const char* name, unsigned long code, std::size_t process) {
  if (!on_) return;
  Flush();
  Print("[" + std::to_string(++steps_) + "] HwVidStartIO(" + name + " " + Hex(code) + ") from process " +
        std::to_string(process) + " at PASSIVE_LEVEL");
}

// The driver's own calls; entering and leaving the entry point's callback is
// the kit's doing and shows as the step.
void TraceLog::OnCall(const CallRecord& call) {
  Flush();
  if (call.id == CallId::EnterCallback || call.id == CallId::LeaveCallback) return;
  pending_seq_ = call.seq;
  pending_ = "      #" + std::to_string(call.seq) + " " + m_->FormatCall(call);
}

void TraceLog::Flush() {
  if (pending_seq_ != 0) {
    std::string line = pending_ + result_;
    if (device_) line += " (device)";
    if (m_ != nullptr && m_->InjectedCall(pending_seq_) != nullptr) line += " failed by fault injection";
    Print(line);
  }
  pending_seq_ = 0;
  pending_.clear();
  result_.clear();
  device_ = false;
}

std::string TraceLog::Hex(u64 v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

void TraceLog::Print(const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); }

}  // namespace ddimap::fuzz_driver
