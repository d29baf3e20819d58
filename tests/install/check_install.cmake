# ctest install_package (cmake -P): installs the build into a scratch prefix,
# moves the prefix (nothing may depend on where it was installed), then builds
# and runs tests/install/ against it twice: as a CMake project with
# find_package(ddimap), and as plain compiler commands with pkg-config.
#
# -D inputs: BUILD_DIR (the build tree), CONSUMER (tests/install), WORK (scratch
# directory, emptied first), SOURCE_ROOT, GENERATOR, C_COMPILER, CXX_COMPILER,
# C_FLAGS, C_FLAGS_CONFIG (those of BUILD_TYPE), CXX_FLAGS, LINKER_FLAGS, BUILD_TYPE, IPO (ON/OFF), IPO_FLAGS,
# VERSION, LIBDIR, INCLUDEDIR, PKG_CONFIG.

function(run what)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "OUTPUT" "COMMAND")
  execute_process(COMMAND ${arg_COMMAND} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " shown "${arg_COMMAND}")
    message(FATAL_ERROR "install_package: ${what} failed (${rc}): ${shown}\n${out}${err}")
  endif()
  message(STATUS "install_package: ${what}: ok")
  if(arg_OUTPUT)
    string(STRIP "${out}" out)
    set(${arg_OUTPUT} "${out}" PARENT_SCOPE)
  endif()
endfunction()

if(NOT PKG_CONFIG)
  message(FATAL_ERROR "install_package: pkg-config not found (Debian: pkgconf, from ci/install-deps.sh)")
endif()
# The programs are checked with the default options, whatever the caller's.
unset(ENV{DDIMAP_OPTIONS})

file(REMOVE_RECURSE "${WORK}")
set(staging "${WORK}/staging")
set(prefix "${WORK}/prefix")
run("cmake --install" COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${staging}")
file(RENAME "${staging}" "${prefix}")

foreach(f ${INCLUDEDIR}/ddimap/wdk.h ${INCLUDEDIR}/ddimap/control.h ${INCLUDEDIR}/ddimap/machine.hpp
          ${INCLUDEDIR}/ddimap/rules.def ${INCLUDEDIR}/ddimap/calls.def ${LIBDIR}/libddimap_core.a
          ${LIBDIR}/cmake/ddimap/ddimapConfig.cmake ${LIBDIR}/cmake/ddimap/ddimapConfigVersion.cmake
          ${LIBDIR}/cmake/ddimap/ddimapTargets.cmake ${LIBDIR}/pkgconfig/ddimap.pc)
  if(NOT EXISTS "${prefix}/${f}")
    message(FATAL_ERROR "install_package: ${f} not installed")
  endif()
endforeach()
# Every header of the source tree is installed (new ones included).
file(GLOB_RECURSE headers RELATIVE "${SOURCE_ROOT}/core/include" "${SOURCE_ROOT}/core/include/*")
foreach(h ${headers})
  if(NOT EXISTS "${prefix}/${INCLUDEDIR}/${h}")
    message(FATAL_ERROR "install_package: core/include/${h} not installed")
  endif()
endforeach()
# No installed text names the source or build tree, or the staging prefix.
file(GLOB_RECURSE texts "${prefix}/*.cmake" "${prefix}/*.pc" "${prefix}/*.h" "${prefix}/*.hpp" "${prefix}/*.def")
foreach(t ${texts})
  file(READ "${t}" content)
  foreach(p "${SOURCE_ROOT}" "${BUILD_DIR}" "${staging}")
    string(FIND "${content}" "${p}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "install_package: ${t} names ${p}")
    endif()
  endforeach()
endforeach()

# --- find_package ----------------------------------------------------------------
set(cmake_build "${WORK}/cmake-build")
run("configure tests/install (find_package)" COMMAND "${CMAKE_COMMAND}" -S "${CONSUMER}" -B "${cmake_build}"
    -G "${GENERATOR}" "-DCMAKE_C_COMPILER=${C_COMPILER}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    "-DCMAKE_C_FLAGS=${C_FLAGS}" "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}"
    "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}" "-DCMAKE_INTERPROCEDURAL_OPTIMIZATION=${IPO}"
    "-DCMAKE_PREFIX_PATH=${prefix}" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    "-DDDIMAP_EXPECTED_VERSION=${VERSION}" "-DDDIMAP_EXPECTED_PREFIX=${prefix}"
    "-DDDIMAP_EXAMPLES_DIR=${SOURCE_ROOT}/examples")
run("build tests/install (find_package)" COMMAND "${CMAKE_COMMAND}" --build "${cmake_build}")
run("driver (find_package)" COMMAND "${cmake_build}/driver")
run("ddxnet, a WDK-style miniport (find_package, ddimap::wdk)" COMMAND "${cmake_build}/ddxnet" -)
run("rules_table (find_package)" COMMAND "${cmake_build}/rules_table" OUTPUT rules)
message(STATUS "  ${rules}")

# --- pkg-config ---------------------------------------------------------------------
# Only this prefix's .pc files: not some other ddimap of the machine.
set(ENV{PKG_CONFIG_LIBDIR} "${prefix}/${LIBDIR}/pkgconfig")
unset(ENV{PKG_CONFIG_PATH})
run("pkg-config --modversion" COMMAND "${PKG_CONFIG}" --modversion ddimap OUTPUT pc_version)
if(NOT pc_version STREQUAL VERSION)
  message(FATAL_ERROR "install_package: ddimap.pc says version ${pc_version}, expected ${VERSION}")
endif()
run("pkg-config --cflags" COMMAND "${PKG_CONFIG}" --cflags ddimap OUTPUT pc_cflags)
run("pkg-config --libs" COMMAND "${PKG_CONFIG}" --libs ddimap OUTPUT pc_libs)
message(STATUS "  Cflags: ${pc_cflags}")
message(STATUS "  Libs: ${pc_libs}")
separate_arguments(pc_cflags UNIX_COMMAND "${pc_cflags}")
separate_arguments(pc_libs UNIX_COMMAND "${pc_libs}")
separate_arguments(cflags UNIX_COMMAND "${C_FLAGS} ${C_FLAGS_CONFIG}")
separate_arguments(ldflags UNIX_COMMAND "${LINKER_FLAGS}")
set(ipo "")
if(IPO)
  separate_arguments(ipo UNIX_COMMAND "${IPO_FLAGS}")
endif()
# The point of Libs: the C compiler links the C++ library. A sanitizer's C++
# runtime parts (UBSan's vptr checks) come only with the C++ driver, which
# OSS-Fuzz and the sanitizer documentation require as the linker anyway.
set(linker "${C_COMPILER}")
if("${CXX_FLAGS}" MATCHES "-fsanitize=")
  set(linker "${CXX_COMPILER}")
  message(STATUS "  sanitizer build: linking with ${CXX_COMPILER}")
endif()
set(pc_build "${WORK}/pkg-config-build")
file(MAKE_DIRECTORY "${pc_build}")
run("compile driver.c (pkg-config)" COMMAND "${C_COMPILER}" -std=c11 ${cflags} ${ipo} ${pc_cflags}
    -c "${CONSUMER}/driver.c" -o "${pc_build}/driver.o")
run("link driver (pkg-config)" COMMAND "${linker}" ${cflags} ${ipo} "${pc_build}/driver.o" ${pc_libs} ${ldflags}
    -o "${pc_build}/driver")
run("driver (pkg-config)" COMMAND "${pc_build}/driver")

# The WDK-style miniport through ddimap-wdk.pc: its Cflags name the WDK header
# directory; its Libs are ddimap's (Requires).
run("pkg-config --cflags ddimap-wdk" COMMAND "${PKG_CONFIG}" --cflags ddimap-wdk OUTPUT wdk_cflags)
run("pkg-config --libs ddimap-wdk" COMMAND "${PKG_CONFIG}" --libs ddimap-wdk OUTPUT wdk_libs)
message(STATUS "  ddimap-wdk Cflags: ${wdk_cflags}")
separate_arguments(wdk_cflags UNIX_COMMAND "${wdk_cflags}")
separate_arguments(wdk_libs UNIX_COMMAND "${wdk_libs}")
foreach(src miniport lifecycle)
  run("compile ${src}.c (pkg-config ddimap-wdk)" COMMAND "${C_COMPILER}" -std=gnu11 ${cflags} ${ipo} ${wdk_cflags}
      -c "${SOURCE_ROOT}/examples/ndis_miniport/${src}.c" -o "${pc_build}/${src}.o")
endforeach()
run("link ddxnet (pkg-config ddimap-wdk)" COMMAND "${linker}" ${cflags} ${ipo} "${pc_build}/miniport.o"
    "${pc_build}/lifecycle.o" ${wdk_libs} ${ldflags} -o "${pc_build}/ddxnet")
run("ddxnet (pkg-config ddimap-wdk)" COMMAND "${pc_build}/ddxnet" -)
