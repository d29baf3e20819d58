// One driver fuzzing input as a schedule (docs/driver-fuzzing.md): the bytes
// from the front say which entry point runs next, the bytes from the back
// what the device answers and which calls fail. Reading the two ends apart
// keeps a mutation of the device's answers from reshuffling the schedule,
// and the other way round.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ddimap::fuzz_driver {

class Schedule {
 public:
  Schedule(const std::uint8_t* data, std::size_t size) : data_(data), front_(0), back_(size) {}
  // The next schedule byte; false once the schedule is over (the two ends met).
  bool Next(std::uint8_t* byte) {
    if (front_ >= back_) return false;
    *byte = data_[front_++];
    return true;
  }
  // The next schedule byte, 0 when there is none.
  std::uint8_t NextOr0() {
    std::uint8_t b = 0;
    Next(&b);
    return b;
  }
  // The next device byte, from the back; false when none is left, in which
  // case the device answers with the model's value and nothing fails.
  bool Device(std::uint8_t* byte) {
    if (back_ <= front_) return false;
    *byte = data_[--back_];
    return true;
  }

 private:
  const std::uint8_t* data_;
  std::size_t front_;
  std::size_t back_;
};

// What a register or port read returns, from one device byte (and, for a raw
// value, `width` more): the model's value (what was last written, or the
// world's initial contents), all ones (a device that is gone from the bus),
// zero, or the raw little-endian bytes.
enum class Answer { Model, AllOnes, Zero, Raw };
inline Answer AnswerOf(std::uint8_t b) {
  if (b < 0x40) return Answer::Model;
  if (b < 0x70) return Answer::AllOnes;
  if (b < 0xA0) return Answer::Zero;
  return Answer::Raw;
}

// Whether a map, open, allocate or register call fails (one device byte):
// one in eight.
inline bool Fails(std::uint8_t b) { return b >= 0xE0; }

}  // namespace ddimap::fuzz_driver
