#!/usr/bin/env bash
# Tests of ci/triage.sh (ctest triage_*).
#
#   triage_test.sh planted-bug SOURCE_DIR WORK_DIR NORMAL_REPRO
#     Builds a mutants tree (gcc, Debug, -DDDIMAP_MUTANTS=ON, tests off, no
#     fuzzing engine: ddimap-repro and fuzz_mm_io only) in WORK_DIR/mutants,
#     plants the bug DDIMAP_MUTANT=quarantine_skipped, triages a double unmap
#     into a scratch copy of tests/regressions and checks the trace, the
#     signature list, dedupe, non-reproducible inputs, usage errors and the
#     sanitizer-report classifier. NORMAL_REPRO is the ddimap-repro of the
#     normal build under test.
#   triage_test.sh no-mutants CORE_LIBRARY
#     The normal build's core library holds no trace of the mutants.
#   triage_test.sh driver SOURCE_DIR BUILD_DIR WORK_DIR
#     Triages ddxnet bug 8's crash input (a planted-bug build of a driver fuzz
#     target, BUILD_DIR's engine-less one; no libFuzzer tree) into a scratch
#     regressions directory: the report's signature, the input kept with its
#     printed schedule, the signature list, and a second triage that knows it.
set -uo pipefail

# The file name ci/triage.sh gives a signature (same rule as its slug_of).
slug_of_sig() {
  printf '%s' "$1" | tr '[:upper:]' '[:lower:]' | sed -E 's/[^a-z0-9]+/-/g; s/^-+//; s/-+$//' | cut -c1-80 | sed -E 's/-+$//'
}

fails=0
pass() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() {  # DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

no_mutants() {
  local lib=$1 n def names pat=()
  [ -f "$lib" ] || { echo "FAIL: no library $lib"; exit 1; }
  # Every mutant named in core/mutants/mutants.def (its DDIMAP_MUTANT_ROW lines).
  def="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/core/mutants/mutants.def"
  [ -f "$def" ] || { echo "FAIL: no $def"; exit 1; }
  names=$(sed -n -E 's/^DDIMAP_MUTANT_ROW\(([A-Za-z0-9_]+),.*/\1/p' "$def")
  echo "$names" | grep -qx quarantine_skipped || { echo "FAIL: $def lists no quarantine_skipped"; exit 1; }
  for x in $names; do pat+=(-e "$x"); done
  n=$(strings -a "$lib" | grep -c "${pat[@]}" -e DDIMAP_MUTANT)
  if [ "$n" -eq 0 ]; then
    echo "ok: $lib holds no mutant (none of the $(echo "$names" | wc -w) names in mutants.def, no 'DDIMAP_MUTANT')"
    exit 0
  fi
  echo "FAIL: $lib mentions mutants $n time(s):"
  strings -a "$lib" | grep "${pat[@]}" -e DDIMAP_MUTANT | head
  exit 1
}

planted_bug() {
  local src=$1 work=$2 normal_repro=$3
  local start=$SECONDS
  local mb=$work/mutants sig="oracle-mismatch MmUnmapIoSpace rules core=MM_IO.UNMAP_NOT_MAPPED oracle=MM_IO.UNMAP_DOUBLE"
  mkdir -p "$work"
  # --- the mutants build: lean, the two targets the triage needs ----------
  local gen=()
  command -v ninja >/dev/null && gen=(-G Ninja)
  echo "--- building the mutants tree in $mb"
  if ! env -u CFLAGS -u CXXFLAGS -u LDFLAGS -u LIB_FUZZING_ENGINE \
      cmake -S "$src" -B "$mb" "${gen[@]}" -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ \
        -DCMAKE_BUILD_TYPE=Debug -DDDIMAP_BUILD_TESTS=OFF -DDDIMAP_MUTANTS=ON -DDDIMAP_FUZZING_ENGINE= \
        >"$work/configure.log" 2>&1; then
    cat "$work/configure.log"; echo "FAIL: configuring the mutants tree"; exit 1
  fi
  if ! cmake --build "$mb" --parallel 2 --target ddimap-repro fuzz_mm_io >"$work/build.log" 2>&1; then
    tail -n 40 "$work/build.log"; echo "FAIL: building the mutants tree"; exit 1
  fi
  echo "--- built in $((SECONDS - start)) s"
  local repro=$mb/harnesses/ddimap-repro
  check "the mutants build carries the mutant" grep -a -q quarantine_skipped "$mb/core/libddimap_core.a"

  # --- a known crashing input: a double unmap, as a binary fuzz_mm_io input
  rm -rf "$work/run"
  mkdir -p "$work/run/campaign/fuzz_mm_io/crashes"
  local crash=$work/run/crash-unmap-double
  "$repro" --emit-binary "$crash" "$src/corpus/traces/fuzz_mm_io/mm_io.unmap_double.trace" ||
    { echo "FAIL: --emit-binary"; exit 1; }
  local reg=$work/run/regressions
  cp -r "$src/tests/regressions" "$reg"
  local tsv_before
  tsv_before=$(grep -c -v -E '^(#|$)' "$reg/signatures.tsv" 2>/dev/null)
  ls "$reg" | sort >"$work/run/files.before"

  # Every triage runs with the mutants tree as both the reproducer and the
  # fuzz target (standalone main: no libFuzzer minimiser, the call-level one).
  triage() {
    DDIMAP_BUILD_DIR=$mb DDIMAP_FUZZ_BUILD_DIR=$mb "$src/ci/triage.sh" --regressions "$reg" "$@"
  }

  # --- 1. without the planted bug the input runs clean: not reproducible -----
  local out rc
  out=$(env -u DDIMAP_MUTANT bash -c 'DDIMAP_BUILD_DIR=$1 DDIMAP_FUZZ_BUILD_DIR=$1 "$2" --regressions "$3" --harness fuzz_mm_io "$4"' \
        _ "$mb" "$src/ci/triage.sh" "$reg" "$crash" 2>&1)
  rc=$?
  echo "$out" | sed 's/^/  | /'
  check "a clean input exits 1" [ "$rc" -eq 1 ]
  check "a clean input is reported not reproducible" grep -q 'NOT REPRODUCIBLE' <<<"$out"
  check "a clean input writes nothing" diff -q <(ls "$reg" | sort) "$work/run/files.before"

  # --- 2. the planted bug: a new signature, a new trace -----------------------
  export DDIMAP_MUTANT=quarantine_skipped
  out=$(triage --harness fuzz_mm_io "$crash" 2>&1)
  rc=$?
  echo "$out" | sed 's/^/  | /'
  check "triage of the planted bug exits 0" [ "$rc" -eq 0 ]
  check "it names the signature as new" grep -q -F "new: $sig -> " <<<"$out"
  local added
  added=$(comm -13 "$work/run/files.before" <(ls "$reg" | sort))
  check "exactly one new file: a .trace ($added)" \
    bash -c '[ "$(printf "%s\n" "$1" | grep -c .)" -eq 1 ] && [[ $1 == *.trace ]]' _ "$added"
  local trace=$reg/$added
  [ -f "$trace" ] || { echo "FAIL: no trace written"; exit 1; }
  sed 's/^/  > /' "$trace"
  check "the trace's header holds the signature" grep -q -F "# signature: $sig" "$trace"
  check "the trace's header names the crash file" grep -q -F "crash-unmap-double" "$trace"
  check "the trace's header says what to do" grep -q -F "edit the expectations to what docs/semantics.md says, then fix the core" "$trace"
  check "the trace is named after the signature" [ "$added" = "$(slug_of_sig "$sig").trace" ]
  local calls
  calls=$(grep -c -v -E '^ *(#|$|teardown )' "$trace")  # the calls: not comments, not the teardown line
  check "the input was minimised: $calls calls < the 4 of the original (the register write goes)" \
    bash -c '[ "$1" -lt 4 ] && ! grep -q WRITE_REGISTER "$2"' _ "$calls" "$trace"
  check "signatures.tsv got exactly one line" \
    [ "$(grep -c -v -E '^(#|$)' "$reg/signatures.tsv")" -eq $((tsv_before + 1)) ]
  check "that line is signature<TAB>trace" grep -q -x -F "$sig	$added" "$reg/signatures.tsv"

  # --- 3. what the trace means -------------------------------------------------
  # Its expectations are the mutant core's actual results: the core alone
  # replays it clean under the mutant ...
  check "under the mutant the core alone meets the trace's expectations" \
    "$repro" --quiet --no-oracle "$trace"
  # ... with the oracle it still fails exactly as the crash did ...
  out=$("$repro" --quiet "$trace" 2>&1)
  rc=$?
  check "under the mutant the trace reproduces the crash (exit 1)" [ "$rc" -eq 1 ]
  check "... with the same signature" grep -q -x -F "SIGNATURE: $sig" <<<"$out"
  # ... and the real core does something else: it fails its expectations.
  out=$(env -u DDIMAP_MUTANT "$normal_repro" --quiet "$trace" 2>&1)
  rc=$?
  echo "$out" | sed 's/^/  | /'
  check "the normal build fails the trace (the expectations hold the planted bug)" [ "$rc" -eq 1 ]
  check "... on an expectation, not an oracle mismatch" grep -q -x -F "SIGNATURE: expectation MmUnmapIoSpace" <<<"$out"
  check "the normal build's replay differs from the mutant's" bash -c \
    '! diff -q <(env -u DDIMAP_MUTANT "$1" --no-oracle "$3" | grep -v "^# /") <("$2" --no-oracle "$3" | grep -v "^# /") >/dev/null' \
    _ "$normal_repro" "$repro" "$trace"
  # The workflow: edit the expectation to what docs/semantics.md says (a
  # second unmap of a released range is MM_IO.UNMAP_DOUBLE); then the real
  # core passes and the planted bug fails.
  sed 's/!MM_IO\.UNMAP_NOT_MAPPED/!MM_IO.UNMAP_DOUBLE/' "$trace" >"$work/run/edited.trace"
  check "edited to the semantics, the trace passes on the normal build" \
    env -u DDIMAP_MUTANT "$normal_repro" --quiet "$work/run/edited.trace"
  check "edited to the semantics, the trace fails under the mutant" \
    bash -c '! "$1" --quiet "$2" >/dev/null 2>&1' _ "$repro" "$work/run/edited.trace"

  # --- 4. the same crash again: known, nothing written --------------------------
  # (harness inferred from the path, as for a campaign's crash directory)
  local crash2=$work/run/campaign/fuzz_mm_io/crashes/id:000000,sig:06,src:000001,op:havoc
  cp "$crash" "$crash2"
  cp "$reg/signatures.tsv" "$work/run/tsv.before2"
  ls "$reg" | sort >"$work/run/files.before2"
  out=$(triage "$crash2" 2>&1)
  rc=$?
  echo "$out" | sed 's/^/  | /'
  check "the second triage exits 0" [ "$rc" -eq 0 ]
  check "the harness is inferred from the path" grep -q -F "(harness fuzz_mm_io)" <<<"$out"
  check "the second triage says known" grep -q -x -F "known: $sig -> $trace" <<<"$out"
  check "the second triage writes no file" diff -q <(ls "$reg" | sort) "$work/run/files.before2"
  check "the second triage leaves signatures.tsv alone" cmp -s "$reg/signatures.tsv" "$work/run/tsv.before2"

  # --- 5. usage -----------------------------------------------------------------
  "$src/ci/triage.sh" >/dev/null 2>&1; rc=$?
  check "no file: exit 2" [ "$rc" -eq 2 ]
  "$src/ci/triage.sh" --bogus "$crash" >/dev/null 2>&1; rc=$?
  check "unknown option: exit 2" [ "$rc" -eq 2 ]
  "$src/ci/triage.sh" --harness fuzz_nothing "$crash" >/dev/null 2>&1; rc=$?
  check "unknown harness: exit 2" [ "$rc" -eq 2 ]
  check "--help explains" bash -c '"$1" --help | grep -q -e "--regressions DIR"' _ "$src/ci/triage.sh"
  unset DDIMAP_MUTANT

  # --- 6. sanitizer reports are classified by error type and ddimap frames ----
  cat >"$work/run/asan.log" <<EOF
INFO: Running with entropic power schedule (0xFF, 100).
=================================================================
==4242==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010 at pc 0x55 bp 0x7ff sp 0x7fe
READ of size 8 at 0x602000000010 thread T0
    #0 0x55d1 in std::vector<int, std::allocator<int> >::size() const /usr/include/c++/12/bits/stl_vector.h:919:40
    #1 0x55d2 in ddimap::AddressSpace::Find(unsigned long) const $src/core/machine/address_space.cpp:88:7
    #2 0x55d3 in ddimap::(anonymous namespace)::Classify(ddimap::Machine&, unsigned long) $src/core/families/common.cpp:41:12
    #3 0x55d4 in ddimap::Machine::MmUnmapIoSpace(unsigned long, unsigned long) $src/core/families/mm_io.cpp:120:3
    #4 0x55d5 in LLVMFuzzerTestOneInput $src/harnesses/fuzz/fuzz_mm_io.cpp:4:1

0x602000000010 is located 0 bytes inside of 16-byte region
freed by thread T0 here:
    #0 0x55e1 in operator delete(void*)
    #1 0x55e2 in ddimap::Machine::Release(int) $src/core/machine/machine.cpp:300:1
SUMMARY: AddressSanitizer: heap-use-after-free $src/core/machine/address_space.cpp:88:7 in ddimap::AddressSpace::Find(unsigned long) const
EOF
  check "an ASan report: sanitizer, error type, top 2 ddimap frames" bash -c \
    '[ "$("$1" --classify "$2")" = "AddressSanitizer heap-use-after-free at ddimap::AddressSpace::Find, ddimap::{anon}::Classify" ]' \
    _ "$src/ci/triage.sh" "$work/run/asan.log"
  cat >"$work/run/ubsan.log" <<EOF
$src/core/machine/tables.cpp:57:21: runtime error: shift exponent 64 is too large for 64-bit type 'unsigned long'
    #0 0x4f1 in ddimap::PageCount(unsigned long) $src/core/machine/tables.cpp:57:21
    #1 0x4f2 in ddimap::Machine::MmMapIoSpace(unsigned long, unsigned long, int) $src/core/families/mm_io.cpp:60:9
    #2 0x4f3 in main $src/harnesses/fuzz/standalone_main.cpp:20:3
SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior $src/core/machine/tables.cpp:57:21 in
EOF
  check "a UBSan report: error type without its numbers, top 2 ddimap frames" bash -c \
    '[ "$("$1" --classify "$2")" = "UndefinedBehaviorSanitizer shift-exponent at ddimap::PageCount, ddimap::Machine::MmMapIoSpace" ]' \
    _ "$src/ci/triage.sh" "$work/run/ubsan.log"
  printf 'ERROR: ddimap-harness: oracle mismatch\nSIGNATURE: %s\n==1==ERROR: libFuzzer: deadly signal\n' "$sig" \
    >"$work/run/harness.log"
  check "a harness abort: its SIGNATURE line" bash -c '[ "$("$1" --classify "$2")" = "$3" ]' \
    _ "$src/ci/triage.sh" "$work/run/harness.log" "$sig"

  # --- 7. a self-check stops the replay: what did not run is marked so -------
  # owner_count_not_decremented breaks the core's own bookkeeping at the first
  # unmap; the replay must stop there and print no result for the calls after.
  printf '%s\n' 'r0 = MmMapIoSpace(0xfed00000, 0x1000, MmNonCached)' 'MmUnmapIoSpace(r0, 0x1000)' \
    'r1 = MmMapIoSpace(0xfed00000, 0x1000, MmNonCached)' 'MmUnmapIoSpace(r1, 0x1000)' >"$work/run/selfcheck.trace"
  out=$(DDIMAP_MUTANT=owner_count_not_decremented "$repro" --expect "$work/run/selfcheck.trace" 2>&1); rc=$?
  echo "$out" | sed 's/^/  | /'
  check "a self-check fails the replay (exit 1)" [ "$rc" -eq 1 ]
  check "... after the call that broke the bookkeeping" grep -q "self-check failed after #2 MmUnmapIoSpace" <<<"$out"
  check "the calls after it are marked not run, with no expectation" \
    grep -q -x -F "r1 = MmMapIoSpace(0xfed00000, 0x1000, MmNonCached)  # #3 not run" <<<"$out"
  check "... and no result" bash -c '! grep -q -e "# #3 ->" -e "# #4 ->" <<<"$1"' _ "$out"
  check "the teardown's reports print once" [ "$(grep -c -x -F "# teardown:" <<<"$out")" -le 1 ]

  echo "--- triage_planted_bug: $((SECONDS - start)) s, $fails failure(s)"
  [ "$fails" -eq 0 ]
}

driver() {
  local src=$1 build=$2 work=$3 reg out
  rm -rf "$work" && mkdir -p "$work/reg"
  reg=$work/reg
  : >"$reg/signatures.tsv"
  cp "$src/tests/regressions/drivers/fuzz_ddxnet-bug8-NDIS_IO.IRQL.input" "$work/crash-bug8"
  out=$(DDIMAP_BUILD_DIR=$build DDIMAP_FUZZ_BUILD_DIR=$work/none bash "$src/ci/triage.sh" \
          --harness fuzz_ddxnet_bug8 --regressions "$reg" "$work/crash-bug8" 2>&1)
  echo "$out"
  local sig="ddimap: NDIS_IO.IRQL in NdisMUnmapIoSpace" base
  base=$reg/drivers/fuzz_ddxnet_bug8-$(slug_of_sig "$sig")
  check "reproduced by the engine-less target" grep -q -F "fuzz_ddxnet_bug8 (no engine): reproduced: $sig" <<<"$out"
  check "the input is kept as it was (no libFuzzer tree to minimise)" cmp -s "$work/crash-bug8" "$base.input"
  check "its schedule shows the DPC" grep -q -F "MiniportInterruptDPC at DISPATCH_LEVEL" "$base.schedule"
  check "its schedule ends in the report" grep -q -F "ERROR: $sig" "$base.schedule"
  check "the signature is listed" grep -q -x -F "$(printf '%s\t%s' "$sig" "drivers/$(basename "$base.input")")" \
    "$reg/signatures.tsv"
  out=$(DDIMAP_BUILD_DIR=$build DDIMAP_FUZZ_BUILD_DIR=$work/none bash "$src/ci/triage.sh" \
          --harness fuzz_ddxnet_bug8 --regressions "$reg" "$work/crash-bug8" 2>&1)
  check "a second triage knows it" grep -q -F "known: $sig" <<<"$out"
  echo "--- triage_driver: $fails failure(s)"
  [ "$fails" -eq 0 ]
}

case ${1:-} in
  driver) [ $# -eq 4 ] || { echo "usage: $0 driver SOURCE_DIR BUILD_DIR WORK_DIR" >&2; exit 2; }
    driver "$2" "$3" "$4" ;;
  planted-bug) [ $# -eq 4 ] || { echo "usage: $0 planted-bug SOURCE_DIR WORK_DIR NORMAL_REPRO" >&2; exit 2; }
    planted_bug "$2" "$3" "$4" ;;
  no-mutants) [ $# -eq 2 ] || { echo "usage: $0 no-mutants CORE_LIBRARY" >&2; exit 2; }
    no_mutants "$2" ;;
  *) echo "usage: $0 planted-bug SOURCE_DIR WORK_DIR NORMAL_REPRO | no-mutants CORE_LIBRARY | driver ..." >&2; exit 2 ;;
esac
