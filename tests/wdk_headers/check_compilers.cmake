# Compiles the driver-style source with each C compiler (gcc, clang; -std=gnu11
# and the errors GCC 14 makes default) and each C++ compiler (g++, clang++),
# -fsyntax-only, with one -I flag for the WDK names (plus -fshort-wchar for
# 16-bit L"..." literals, and -Wno-multichar for 'tag1' pool tags, as ddimap::wdk
# and ddimap-wdk.pc add). A compiler
# that is not installed is reported and skipped; none found fails.
set(wdk_flags -fshort-wchar -Wno-multichar -I${INCLUDE}/ddimap/wdk -I${INCLUDE})
set(c_flags -std=gnu11 -Wall -Wextra -Werror -Werror=incompatible-pointer-types
            -Werror=implicit-function-declaration -Werror=int-conversion)
set(cxx_flags -x c++ -std=c++17 -Wall -Wextra -Werror)
set(ran 0)
foreach(entry "gcc;c" "clang;c" "g++;cxx" "clang++;cxx")
  list(GET entry 0 name)
  list(GET entry 1 lang)
  find_program(compiler_${name} NAMES ${name})
  if(NOT compiler_${name})
    message(STATUS "skipped: ${name} not found")
    continue()
  endif()
  set(extra "")
  if(name MATCHES "clang")
    set(extra -Wno-pragma-pack)  # as ddimap::wdk adds for Clang: see pshpack1.h
  endif()
  execute_process(COMMAND ${compiler_${name}} -fsyntax-only ${${lang}_flags} ${extra} ${wdk_flags} ${SOURCE}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${name} (${lang}) failed on ${SOURCE}:\n${out}${err}")
  endif()
  message(STATUS "ok: ${name} (${lang})")
  math(EXPR ran "${ran} + 1")
endforeach()
if(ran EQUAL 0)
  message(FATAL_ERROR "no C or C++ compiler found")
endif()

# A DDI ddimap does not implement is not declared: a source that calls one
# fails to build, naming it (here at compile time, with GCC 14's default error).
set(unknown_source ${CMAKE_CURRENT_BINARY_DIR}/wdk_unknown_ddi.c)
file(WRITE ${unknown_source}
  "#include <wdm.h>\nPVOID Probe(SIZE_T n) { PHYSICAL_ADDRESS hi; hi.QuadPart = -1; return MmAllocateContiguousMemory(n, hi); }\n")
find_program(any_cc NAMES gcc clang)
execute_process(COMMAND ${any_cc} -fsyntax-only ${c_flags} ${wdk_flags} ${unknown_source}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(FIND "${err}" "MmAllocateContiguousMemory" named)
if(rc EQUAL 0 OR named EQUAL -1)
  message(FATAL_ERROR "an undeclared DDI must fail to compile with its name (rc ${rc}):\n${out}${err}")
endif()
message(STATUS "ok: an unimplemented DDI fails to compile with its name")
