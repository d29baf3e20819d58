// The driver fuzz targets (ddimap_add_driver_fuzzer) that join the harness
// list: CMake writes their names to driver_fuzzers.txt in the directory the
// fuzz targets and the tools are built in; the tools read it beside their own
// binary. Their seeds and dictionaries (corpus/<name>/, dictionaries/<name>.*)
// are written by hand, not by ddimap-gen.
#pragma once

#include <string>
#include <vector>

namespace ddimap::harness {

// In build order; empty when the file is missing.
const std::vector<std::string>& DriverFuzzers();

}  // namespace ddimap::harness
