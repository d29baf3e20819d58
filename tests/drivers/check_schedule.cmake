# ctest driver_trace_* and driver_found_*: a driver fuzz input replayed by the
# engine-less target (the kit's reproducer main) with DDIMAP_FUZZ_TRACE=1
# prints its schedule and report, the same bytes in a second process, and
# every expected piece. (The input is named twice: an input that meets no
# report runs twice in one process; one that does aborts the first time.)
#
#   cmake -DTARGET=<driver fuzz target> -DINPUT=<file> -DEXPECT=<a;b;...> -P check_schedule.cmake
cmake_minimum_required(VERSION 3.25)
set(ENV{DDIMAP_FUZZ_TRACE} 1)
set(ENV{DDIMAP_OPTIONS} "")
foreach(run 1 2)
  execute_process(COMMAND "${TARGET}" "${INPUT}" "${INPUT}" OUTPUT_VARIABLE out${run} ERROR_VARIABLE err${run}
                  RESULT_VARIABLE rc${run})
endforeach()
if(NOT err1 STREQUAL err2)
  message(FATAL_ERROR "two runs of ${INPUT} printed different schedules:\n${err1}\n---\n${err2}")
endif()
foreach(piece ${EXPECT})
  string(FIND "${err1}" "${piece}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "'${piece}' is not in the schedule of ${INPUT}:\n${err1}")
  endif()
endforeach()
message(STATUS "${INPUT}: deterministic, all of '${EXPECT}' shown")
