// The same driver source as C++ (tests/wdk_headers/CMakeLists.txt).
#include "driver_vocabulary.c"
