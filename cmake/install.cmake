# Install rules of the core library (docs/install.md): the public headers, the
# two tables they include, libddimap_core.a as ddimap::core, a CMake package
# (find_package(ddimap)) and a pkg-config file (ddimap.pc). Everything is
# relative to the prefix given at install time (cmake --install --prefix P), so
# an installed tree can be moved. Nothing here adds compiler flags: whoever
# builds the library chooses them, as for any other target.

# A library with the test-only mutants compiled in must never be mistaken for
# the real one.
if(DDIMAP_MUTANTS)
  message(STATUS "ddimap: no install rules in a DDIMAP_MUTANTS build")
  return()
endif()

include(CMakePackageConfigHelpers)

set(DDIMAP_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/ddimap)

# The whole include tree, so that headers added later (ddimap/wdk/...) are
# installed without touching this file.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/core/include/ddimap
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        COMPONENT ddimap_development)
# rules.hpp and calls.hpp #include "rules.def" / "calls.def": next to them.
install(FILES ${PROJECT_SOURCE_DIR}/core/rules/rules.def ${PROJECT_SOURCE_DIR}/core/calls/calls.def
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ddimap
        COMPONENT ddimap_development)

install(TARGETS ddimap_core EXPORT ddimapTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT ddimap_development)
# ddimap::wdk: the WDK header names (include/ddimap/wdk) and -fshort-wchar, for
# driver sources compiled unchanged (docs/wdk-headers.md).
install(TARGETS ddimap_wdk EXPORT ddimapTargets COMPONENT ddimap_development)
install(EXPORT ddimapTargets
        NAMESPACE ddimap::
        DESTINATION ${DDIMAP_CMAKE_DIR}
        COMPONENT ddimap_development)

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/ddimapConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/ddimapConfig.cmake
                              INSTALL_DESTINATION ${DDIMAP_CMAKE_DIR})
# 0.x: a new minor version may change the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ddimapConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION}
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/ddimapConfig.cmake ${PROJECT_BINARY_DIR}/ddimapConfigVersion.cmake
        DESTINATION ${DDIMAP_CMAKE_DIR}
        COMPONENT ddimap_development)

# pkg-config. A C program links the static C++ library with the C compiler, so
# Libs must name the C++ runtime. Which one depends on the C++ compiler and its
# flags (libstdc++ for g++, libc++ for clang++ -stdlib=libc++), so take what
# the C++ compiler links implicitly and the C compiler does not (CMake's own
# probe of both; for g++ on Linux: stdc++ and m). Full paths and linker options
# are left out: they belong to a sanitizer or coverage runtime, which the
# consumer must request with the same flags anyway.
set(DDIMAP_PC_RUNTIME "")
set(seen "")
foreach(lib IN LISTS CMAKE_CXX_IMPLICIT_LINK_LIBRARIES)
  if(lib MATCHES "^[A-Za-z0-9_+.-]+$" AND NOT lib IN_LIST CMAKE_C_IMPLICIT_LINK_LIBRARIES
     AND NOT lib IN_LIST seen)
    list(APPEND seen ${lib})
    string(APPEND DDIMAP_PC_RUNTIME " -l${lib}")
  endif()
endforeach()
unset(seen)

# prefix relative to the .pc file's own directory (${pcfiledir}, known to
# pkg-config and pkgconf), so that cmake --install --prefix P works whatever
# CMAKE_INSTALL_PREFIX was at configure time.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(DDIMAP_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH up "/ddimap-prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/ddimap-prefix")
  string(REGEX REPLACE "/$" "" up "${up}")
  set(DDIMAP_PC_PREFIX "\${pcfiledir}/${up}")
  unset(up)
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(DDIMAP_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  set(DDIMAP_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(DDIMAP_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(DDIMAP_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/ddimap.pc.in ${PROJECT_BINARY_DIR}/ddimap.pc @ONLY)
configure_file(${CMAKE_CURRENT_LIST_DIR}/ddimap-wdk.pc.in ${PROJECT_BINARY_DIR}/ddimap-wdk.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/ddimap.pc ${PROJECT_BINARY_DIR}/ddimap-wdk.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
        COMPONENT ddimap_development)
