#include "program/driver_list.hpp"

#include <filesystem>
#include <fstream>

namespace ddimap::harness {

std::vector<std::string> DriverFuzzers() {
  std::vector<std::string> names;
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return names;
  std::ifstream in(self.parent_path() / "driver_fuzzers.txt");
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) names.push_back(line);
  return names;
}

}  // namespace ddimap::harness
