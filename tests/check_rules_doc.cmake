# ctest rules_doc_in_sync: docs/rules.md must be byte for byte what
# `ddimap-rules --markdown` prints from core/rules/rules.def.
#
#   cmake -DRULES_TOOL=<ddimap-rules> -DRULES_DOC=<docs/rules.md> -P check_rules_doc.cmake

foreach(var RULES_TOOL RULES_DOC)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "check_rules_doc.cmake: pass -D${var}=...")
  endif()
endforeach()

execute_process(
  COMMAND "${RULES_TOOL}" --markdown
  OUTPUT_VARIABLE generated
  ERROR_VARIABLE tool_stderr
  RESULT_VARIABLE tool_rc)
if(NOT tool_rc STREQUAL "0")
  message(FATAL_ERROR "'${RULES_TOOL} --markdown' failed (${tool_rc}):\n${tool_stderr}")
endif()

set(fix "Regenerate it from the repository root:\n"
        "  ddimap-rules --markdown > docs/rules.md\n"
        "(the tool is ${RULES_TOOL})")

if(NOT EXISTS "${RULES_DOC}")
  message(FATAL_ERROR "${RULES_DOC} does not exist.\n" ${fix})
endif()
file(READ "${RULES_DOC}" committed)

if(NOT generated STREQUAL committed)
  # Leave the expected text next to the test for a diff.
  set(expected "${CMAKE_CURRENT_BINARY_DIR}/rules.md.generated")
  file(WRITE "${expected}" "${generated}")
  message(FATAL_ERROR
    "${RULES_DOC} is out of date with core/rules/rules.def / core/calls/calls.def.\n"
    "Expected text: ${expected} (diff it against ${RULES_DOC}).\n" ${fix})
endif()
message(STATUS "${RULES_DOC} is in sync with the rule table")
