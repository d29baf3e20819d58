#!/usr/bin/env bash
# Crash triage: reproduce, classify, dedupe, minimise, and turn a new crash
# into a regression trace under tests/regressions/. See --help.
set -uo pipefail

usage() {
  cat <<'EOF_USAGE'
usage: ci/triage.sh [--harness H] [--regressions DIR] CRASH_FILE...

Triages crash files of the ddimap fuzz targets (libFuzzer crash-*/timeout-*,
AFL++ crashes/id:*; both are raw inputs). For each file:
  1. reproduces it with ddimap-repro --profile H (core + oracle, no engine) and,
     when built, the libFuzzer + ASan + UBSan target (for sanitizer reports);
     a driver fuzz target (ddimap-repro --list-harnesses=driver) with itself,
     built without an engine in DDIMAP_BUILD_DIR, its schedule printed;
  2. classifies it by signature (ddimap-repro --classify): the SIGNATURE: line
     of an oracle mismatch, self-check or expectation failure, else for a
     sanitizer report "<sanitizer> <error type> at <top 2 frames in ddimap code>";
  3. dedupes it against DIR/signatures.tsv (signature<TAB>trace file): a known
     signature whose trace still fails prints "known: <signature> -> <trace>"
     and writes nothing (a known signature whose trace now passes was fixed,
     so this crash is treated as new);
  4. minimises a new crash: libFuzzer -minimize_crash=1 when the libFuzzer
     target reproduces it (kept only if it fails with the SAME signature), then
     ddimap-repro --minimize (drops calls and simplifies arguments while the
     signature holds; for crashes ddimap-repro reproduces);
  5. writes DIR/<slug-of-signature>.trace: the minimised input as a trace with
     the core's actual results as `=>` expectations, under a header with the
     signature, the crash file and the date, and appends the signature to
     DIR/signatures.tsv; for a driver target, DIR/drivers/<H>-<slug>.input
     (the minimised input, which ctest replays: the fixed driver must run it
     clean) and its printed schedule, <...>.schedule.
Then edit the trace's expectations to what docs/semantics.md says, fix the
core, and commit both files: ctest replays every tests/regressions/*.trace.

options:
  --harness H        a harness of the list (ddimap-repro --list-harnesses), or
                     a planted-bug build of a driver target of it (fuzz_ddxnet_bug7);
                     default: a component of the file's path naming one (e.g.
                     build/campaign/fuzz_mm_io/crashes/...), else fuzz_all
  --regressions DIR  where traces and signatures.tsv live (default
                     tests/regressions)
  --classify LOG     print the signature classified from a saved crash log
                     (sanitizer report or harness abort) and exit
  --help             this text

environment:
  DDIMAP_BUILD_DIR        build tree with harnesses/ddimap-repro (default
                          build/gcc-debug; the gcc-debug preset is built when
                          the default tree lacks it)
  DDIMAP_FUZZ_BUILD_DIR   build tree with the fuzz targets (default
                          build/libfuzzer-asan; used when harnesses/H exists)
  DDIMAP_TRIAGE_MINIMIZE_SECONDS  libFuzzer -max_total_time, and the time
                                  limit of ddimap-repro --minimize (default 30)
  DDIMAP_TRIAGE_MINIMIZE_RUNS     libFuzzer -runs (default 20000)
  DDIMAP_MUTANT, ASAN_OPTIONS, UBSAN_OPTIONS are passed through.

exit status: 0 every file triaged (new or known), 1 some file did not
reproduce (or its trace could not be written), 2 bad usage.
EOF_USAGE
}

invoked_from=$PWD
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
secs=${DDIMAP_TRIAGE_MINIMIZE_SECONDS:-30}

abspath() {  # relative paths are relative to where the script was invoked
  case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$invoked_from/$1" ;; esac
}

repro() { timeout 120 "$build/harnesses/ddimap-repro" "$@"; }
fuzz_bin() { printf '%s\n' "$fuzz_build/harnesses/$harness"; }
classify() { repro --classify "$1"; }  # LOG
lib() { python3 "$root/ci/fuzzlib.py" "$@"; }

is_driver() { [[ $driver_harnesses == *" $harness "* ]]; }
# ddimap-repro on one input (binary under --profile; for a text harness the text as a .trace);
# a driver fuzz target's input by the target itself, built without an engine, its schedule printed.
run_repro() {  # FILE LOG [options]
  local f=$1 log=$2; shift 2
  if is_driver; then
    (DDIMAP_FUZZ_TRACE=1 timeout 120 "$build/harnesses/$harness" "$f" >"$log" 2>&1; exit $?) 2>/dev/null
  elif [[ $text_harnesses == *" $harness "* ]]; then
    cp "$f" "$work/input.trace"
    repro "$@" "$work/input.trace" >"$log" 2>&1
  else
    repro "$@" --profile "$harness" "$f" >"$log" 2>&1
  fi
}

have_fuzz_target() { [ -x "$(fuzz_bin)" ]; }
# (In a subshell whose stderr is dropped: bash's "Aborted" job notice is noise.)
run_fuzz_target() {  # FILE LOG [options]
  local f=$1 log=$2; shift 2
  (ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1} \
   UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:symbolize=1} \
     timeout $((secs + 120)) "$(fuzz_bin)" -timeout=25 -rss_limit_mb=2560 "$@" "$f" >"$log" 2>&1; exit $?) 2>/dev/null
}

# Prints the signature of FILE's failure (empty when it runs clean): ddimap-repro's first, else the fuzz target's.
signature_of() {  # FILE
  local sig=""
  run_repro "$1" "$work/sig.repro.log" || sig=$(classify "$work/sig.repro.log")
  if [ -z "$sig" ] && have_fuzz_target && ! run_fuzz_target "$1" "$work/sig.fuzz.log"; then
    sig=$(classify "$work/sig.fuzz.log")
    printf '%s\n' "${sig:-crash $harness (unclassified)}"
    return
  fi
  printf '%s\n' "$sig"
}

# libFuzzer's crash minimiser; keeps the result only with the same signature.
minimize_libfuzzer() {  # IN OUT SIG
  local in=$1 outf=$2 sig=$3 got
  have_fuzz_target && "$(fuzz_bin)" -help=1 2>&1 | grep -q 'minimize_crash' ||
    { echo "  minimise: no libFuzzer target at $(fuzz_bin), skipped"; return 1; }
  run_fuzz_target "$in" "$work/lf.check.log" && { echo "  minimise: the libFuzzer target does not crash on it, skipped"; return 1; }
  rm -f "$outf"
  run_fuzz_target "$in" "$work/lf.min.log" -minimize_crash=1 -runs="${DDIMAP_TRIAGE_MINIMIZE_RUNS:-20000}" \
    -max_total_time="$secs" -exact_artifact_path="$outf"
  [ -s "$outf" ] || { echo "  minimise: libFuzzer produced nothing smaller"; return 1; }
  got=$(signature_of "$outf")
  if [ "$got" != "$sig" ]; then
    echo "  minimise: libFuzzer's $(wc -c <"$outf") bytes fail differently (${got:-clean}), discarded"
    return 1
  fi
  echo "  minimise: libFuzzer: $(wc -c <"$in") -> $(wc -c <"$outf") bytes, same signature"
}

triage_one() {  # FILE
  local file=$1 sig repro_sig="" fuzz_sig="" known
  echo "=== $file (harness $harness)"
  [ -f "$file" ] || { echo "  cannot read $file"; return 1; }
  local reproducer=ddimap-repro
  if is_driver; then
    reproducer="$harness (no engine)"
    [ -x "$build/harnesses/$harness" ] || cmake --build "$build" --parallel "${JOBS:-$(nproc)}" --target "$harness" >&2 ||
      { echo "  could not build $harness in $build"; return 1; }
  fi
  # 1. reproduce, 2. classify
  if run_repro "$file" "$work/repro.log"; then
    echo "  $reproducer: runs clean"
  elif repro_sig=$(classify "$work/repro.log") && [ -n "$repro_sig" ]; then
    echo "  $reproducer: reproduced: $repro_sig"
  else
    echo "  $reproducer: failed without a signature:"; tail -n 5 "$work/repro.log" | sed 's/^/    /'
  fi
  if ! have_fuzz_target; then
    echo "  no fuzz target at $(fuzz_bin) (sanitizer crashes need it: cmake --preset libfuzzer-asan)"
  elif run_fuzz_target "$file" "$work/fuzz.log"; then
    echo "  $(fuzz_bin): runs clean"
  else
    fuzz_sig=$(classify "$work/fuzz.log")
    fuzz_sig=${fuzz_sig:-crash $harness (unclassified)}
    echo "  $(fuzz_bin): reproduced: $fuzz_sig"
  fi
  sig=${repro_sig:-$fuzz_sig}
  [ -n "$sig" ] || { echo "  NOT REPRODUCIBLE: $file runs clean here"; return 1; }
  # 3. dedupe
  echo "  signature: $sig"
  # (An entry whose ddimap failure now replays clean was fixed: this crash is then new.)
  if known=$(lib known-trace "$sig" "$regressions" "$build/harnesses/ddimap-repro"); then echo "known: $sig -> $known"; return 0; fi
  # 4. minimise: libFuzzer's bytes, then ddimap-repro's program (which writes the trace's calls)
  local min=$file body=$work/body.trace
  minimize_libfuzzer "$file" "$work/min.lf.bin" "$sig" && min=$work/min.lf.bin
  if is_driver; then write_driver_regression "$min" "$sig"; return; fi
  if [ -n "$repro_sig" ]; then
    run_repro "$min" "$work/min.log" --minimize --max-seconds "$secs" -o "$body"
    sed -n '/ wrote /!s/^# minimize: /  minimise: /p' "$work/min.log"
    [ -s "$body" ] || { echo "  could not minimise:"; tail -n 5 "$work/min.log" | sed 's/^/    /'; return 1; }
  else
    # A sanitizer crash ddimap-repro does not see: the core's results as they are.
    run_repro "$min" "$body" --expect --no-oracle
  fi
  # 5. the regression trace
  local name trace
  name=$(lib regression-name "$sig" "$regressions") || return 1
  trace=$regressions/$name
  {
    echo "# Regression trace written by ci/triage.sh on $(date -u +%Y-%m-%d)."
    echo "# signature: $sig"
    echo "# crash file: $(basename "$file") (harness $harness; full path: $file)"
    echo "# The '=>' expectations are what the core did when the crash was triaged:"
    echo "# edit the expectations to what docs/semantics.md says, then fix the core."
    if [ -z "$repro_sig" ]; then
      echo "# The failure at triage time:"
      grep -E 'ERROR: |runtime error: |^ *#[0-9]+ 0x|^SIGNATURE: ' "$work/fuzz.log" | head -n 12 | sed 's/^/#   /'
    fi
    cat "$body"
  } >"$trace.tmp"
  # The trace must parse; a parse failure is exit status 2.
  repro --quiet --no-oracle "$trace.tmp" >/dev/null 2>&1
  if [ $? -ge 2 ]; then
    echo "  could not write a trace that parses: kept as $trace.broken"
    mv "$trace.tmp" "$trace.broken"
    return 1
  fi
  mv "$trace.tmp" "$trace"
  printf '%s\t%s\n' "$sig" "$name" >>"$regressions/signatures.tsv"
  echo "new: $sig -> $trace"
  echo "  wrote $trace and added it to $regressions/signatures.tsv"
  echo "  next: edit its expectations to what docs/semantics.md says, fix the core, commit both files"
}

# A driver target's crash: the input itself, under DIR/drivers/<harness>-<slug>.input (ctest
# replays it on the driver, which must run it clean once fixed), and its schedule as printed,
# <...>.schedule, to read.
write_driver_regression() {  # INPUT SIG
  local name base
  name=$(lib regression-name "$2" "$regressions/drivers") || return 1
  base=$regressions/drivers/$harness-${name%.trace}
  mkdir -p "$regressions/drivers"
  cp "$1" "$base.input"
  run_repro "$1" "$base.schedule"
  printf '%s\t%s\n' "$2" "drivers/$(basename "$base.input")" >>"$regressions/signatures.tsv"
  echo "new: $2 -> $base.input"
  echo "  wrote $base.input (its schedule: $base.schedule) and added it to $regressions/signatures.tsv"
  echo "  next: fix the driver; ctest then replays the input, which must run clean"
}

harness="" regressions=$root/tests/regressions classify_log="" files=()
need() { [ "$1" -ge 2 ] || { echo "triage.sh: $2 needs a value" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
  case $1 in
    --help | -h) usage; exit 0 ;;
    --harness) need $# "$1"; harness=$2; shift 2 ;;
    --regressions) need $# "$1"; regressions=$(abspath "$2"); shift 2 ;;
    --classify) need $# "$1"; [ -f "$2" ] || { echo "triage.sh: cannot read $2" >&2; exit 2; }
      classify_log=$(abspath "$2"); shift 2 ;;
    --) shift; while [ $# -gt 0 ]; do files+=("$(abspath "$1")"); shift; done ;;
    -*) echo "triage.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    *) files+=("$(abspath "$1")"); shift ;;
  esac
done
[ ${#files[@]} -gt 0 ] || [ -n "$classify_log" ] || { usage >&2; exit 2; }
[ -d "$regressions" ] || { echo "triage.sh: no directory $regressions" >&2; exit 2; }

build=$(abspath "${DDIMAP_BUILD_DIR:-$root/build/gcc-debug}")
fuzz_build=$(abspath "${DDIMAP_FUZZ_BUILD_DIR:-$root/build/libfuzzer-asan}")
if [ ! -x "$build/harnesses/ddimap-repro" ]; then
  echo "triage.sh: building ddimap-repro in $build" >&2
  if [ "$build" = "$root/build/gcc-debug" ]; then
    (cd "$root" && cmake --preset gcc-debug >/dev/null &&
      cmake --build --preset gcc-debug --parallel "${JOBS:-$(nproc)}" --target ddimap-repro) >&2 || exit 2
  elif [ -f "$build/CMakeCache.txt" ]; then
    cmake --build "$build" --parallel "${JOBS:-$(nproc)}" --target ddimap-repro >&2 || exit 2
  else
    echo "triage.sh: $build is not a configured build tree" >&2; exit 2
  fi
fi
[ -z "$classify_log" ] || { classify "$classify_log"; exit; }
harnesses=" $(repro --list-harnesses | tr '\n' ' ') " text_harnesses=" $(repro --list-harnesses=text | tr '\n' ' ') "
driver_harnesses=" $(repro --list-harnesses=driver | tr '\n' ' ') "
# A planted-bug build of a listed driver target (fuzz_ddxnet_bug7) is triaged as a driver target too.
if [[ ${harness:-} =~ ^(.+)_bug[0-9]+$ && $driver_harnesses == *" ${BASH_REMATCH[1]} "* ]]; then
  driver_harnesses+="$harness " harnesses+="$harness "
fi
case $harnesses in *" ${harness:-fuzz_all} "*) ;; *) echo "triage.sh: unknown harness '$harness'" >&2; exit 2 ;; esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -f "$regressions/signatures.tsv" ] || : >"$regressions/signatures.tsv"

status=0 new=0 known=0 failed=0
given_harness=$harness
for f in "${files[@]}"; do
  harness=$given_harness
  if [ -z "$harness" ]; then  # a path component naming a harness, else fuzz_all
    harness=fuzz_all
    IFS=/ read -r -a parts <<<"$f"
    for p in "${parts[@]}"; do case $harnesses in *" $p "*) harness=$p ;; esac; done
  fi
  triage_one "$f" 2>&1 | tee "$work/triage.out"
  if [ "${PIPESTATUS[0]}" -ne 0 ]; then
    status=1 failed=$((failed + 1))
  elif grep -q '^known: ' "$work/triage.out"; then
    known=$((known + 1))
  else
    new=$((new + 1))
  fi
done
echo "triage: ${#files[@]} file(s): $new new, $known known, $failed not reproduced or not written"
exit $status
