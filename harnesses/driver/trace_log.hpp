// A driver fuzzing input as it runs, printed to stderr when DDIMAP_FUZZ_TRACE
// is set (docs/driver-fuzzing.md, "Reading and replaying a crash"): each step
// (entry point, IRQL, process), the DDI calls the driver made in it with their
// results, the device's answers and the injected failures marked, and what
// the entry point returned. The calls are found by polling
// Machine::last_call() between calls (the C API polls before each WDK
// function and before a runner's leak check), so the core's calls pay
// nothing for the trace. Off, every method is a test of one flag.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "ddimap/machine.hpp"

namespace ddimap::fuzz_driver {

class TraceLog {
 public:
  explicit TraceLog(bool on) : on_(on) {}
  // Reads `m`'s calls.
  void Attach(Machine* m) { m_ = m; }
  // Takes in the latest call if it is new; `completed`: no more is coming for
  // it (a result), so it is printed.
  void Poll(bool completed);
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
    Poll(true);  // the kit's own calls so far are not the driver's
    in_driver_ = true;
    auto result = f();
    Poll(true);
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
    Poll(false);
    device_ = true;
    return value;
  }
  // The result of the call being made, which is then printed.
  void Result(u64 value) {
    if (!on_) return;
    Poll(false);
    if (pending_seq_ != 0) result_ = " -> " + Hex(value);
    Flush();
  }
  void Flush();

 private:
  void OnCall(const CallRecord& call);
  static std::string Hex(u64 v);
  void Print(const std::string& line);

  bool on_;
  Machine* m_ = nullptr;
  bool in_driver_ = false;
  u64 last_seq_ = 0;     // the latest call taken in
  int steps_ = 0;
  u64 pending_seq_ = 0;  // the call printed at the next Flush (0: none)
  std::string pending_;
  std::string result_;
  bool device_ = false;
};

}  // namespace ddimap::fuzz_driver
