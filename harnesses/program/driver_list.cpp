#include "program/driver_list.hpp"

#include <filesystem>
#include <fstream>

namespace ddimap::harness {

namespace {

std::vector<std::string> Read() {
  std::vector<std::string> names;
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return names;
  std::ifstream in(self.parent_path() / "driver_fuzzers.txt");
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) names.push_back(line);
  return names;
}

}  // namespace

// Read once: ddimap-repro asks for every input it replays.
const std::vector<std::string>& DriverFuzzers() {
  static const std::vector<std::string> names = Read();
  return names;
}

}  // namespace ddimap::harness
