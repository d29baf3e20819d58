// A driver fuzzing input as it runs, printed to stderr when DDIMAP_FUZZ_TRACE
// is set (docs/driver-fuzzing.md, "Reading a schedule"): each step (entry
// point, IRQL, process), the DDI calls the driver made in it with their
// results, the device's answers and the injected failures marked, and what
// the entry point returned. Off, every method is a test of one flag.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "ddimap/machine.hpp"

namespace ddimap::fuzz_driver {

class TraceLog {
 public:
  explicit TraceLog(bool on) : on_(on) {}
  // Watches `m`'s calls (when on).
  void Attach(Machine* m);
  void Header(const char* driver, std::size_t size);
  // A step at PASSIVE_LEVEL, or at `irql`; an IOCTL from a process; an event
  // of the operating system's (no driver code).
  void Step(const char* what) { StepAt(what, 0); }
  void Event(const char* what);
  void StepAt(const char* what, unsigned irql);
  void StepIoctl(const char* name, unsigned long code, std::size_t process);
  // Runs the driver's code: only calls made inside are printed.
  template <typename F>
  auto Driver(F&& f) {
    in_driver_ = true;
    auto result = f();
    Flush();
    in_driver_ = false;
    return result;
  }
  template <typename T>
  T Returned(T value) {
    if (on_) Print("    returned " + Hex(static_cast<std::uint32_t>(value)));
    return value;
  }
  unsigned char ReturnedBool(unsigned char value) {
    if (on_) Print(value ? "    returned TRUE" : "    returned FALSE");
    return value;
  }
  // The device's answer to the read being made (not the model's value).
  u64 Device(u64 value) {
    device_ = true;
    return value;
  }
  // The result of the call being made.
  void Result(u64 value) {
    if (on_ && pending_seq_ != 0) result_ = " -> " + Hex(value);
  }
  void Flush();

 private:
  static void OnCall(void* context, const CallRecord& call);
  static std::string Hex(u64 v);
  void Print(const std::string& line);

  bool on_;
  Machine* m_ = nullptr;
  bool in_driver_ = false;
  int steps_ = 0;
  u64 pending_seq_ = 0;  // the call printed at the next Flush (0: none)
  std::string pending_;
  std::string result_;
  bool device_ = false;
};

}  // namespace ddimap::fuzz_driver
