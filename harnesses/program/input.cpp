#include "program/input.hpp"

#include "program/codec.hpp"
#include "program/world.hpp"

namespace ddimap::harness {

bool WriteInput(const Program& p, std::vector<std::uint8_t>* out, std::string* error) {
  std::vector<std::uint8_t> calls;
  if (!Encode(p, &calls, error)) return false;
  out->clear();
  if (p.world) {
    const std::string head = std::string(kWorldHeader) + FormatWorld(*p.world);
    out->assign(head.begin(), head.end());
    out->push_back(0);
  }
  out->insert(out->end(), calls.begin(), calls.end());
  return true;
}

bool ReadInput(std::string_view bytes, const Profile& profile, Program* out, ParseError* error) {
  std::shared_ptr<const World> world;
  if (bytes.starts_with(kWorldHeader)) {
    const std::size_t end = bytes.find('\0');
    if (end == std::string_view::npos) {
      *error = {1, static_cast<int>(kWorldHeader.size()) + 1, "expected the world block to end with a NUL byte"};
      return false;
    }
    // The block is a trace of its own: line 1 of the error is the header's.
    Program head;
    if (!ParseTrace(bytes.substr(kWorldHeader.size(), end - kWorldHeader.size()), &head, error)) {
      error->line += 1;
      return false;
    }
    if (!head.world || !head.empty() || head.teardown.check_rules) {
      *error = {2, 1, "expected a world block, and nothing else, after the header"};
      return false;
    }
    world = head.world;
    bytes.remove_prefix(end + 1);
  }
  DecodeInto(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), profile, out, 4096, std::move(world));
  return true;
}

}  // namespace ddimap::harness
