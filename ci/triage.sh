#!/usr/bin/env bash
# Crash triage: reproduce, minimise, classify, dedupe, and turn a new crash
# into a regression trace under tests/regressions/. See --help.
set -uo pipefail

usage() {
  cat <<'EOF'
usage: ci/triage.sh [--harness H] [--regressions DIR] CRASH_FILE...

Triages crash files of the ddimap fuzz targets (libFuzzer crash-*/timeout-*,
AFL++ crashes/id:*; both are raw inputs). For each file:
  1. reproduces it with ddimap-repro --profile H (core + oracle, no engine) and,
     when built, the libFuzzer + ASan + UBSan target (for sanitizer reports);
  2. classifies it by signature: the SIGNATURE: line of an oracle mismatch,
     self-check or expectation failure, else for a sanitizer report
     "<sanitizer> <error type> at <top 2 frames in ddimap code>";
  3. dedupes it against DIR/signatures.tsv (signature<TAB>trace file): a known
     signature whose trace still fails prints "known: <signature> -> <trace>"
     and writes nothing (a known signature whose trace now passes was fixed,
     so this crash is treated as new);
  4. minimises a new crash: libFuzzer -minimize_crash=1 when the libFuzzer
     target reproduces it, then a call-by-call reduction with ddimap-repro; a
     smaller input is kept only if it fails with the SAME signature;
  5. writes DIR/<slug-of-signature>.trace: the minimised input as a trace with
     the core's actual results as `=>` expectations (ddimap-repro --expect),
     under a header with the signature, the crash file and the date, and
     appends the signature to DIR/signatures.tsv.
Then edit the trace's expectations to what docs/semantics.md says, fix the
core, and commit both files: ctest replays every tests/regressions/*.trace.

options:
  --harness H        fuzz_ndis_io, fuzz_mm_io, fuzz_umdf_io, fuzz_ndis_file,
                     fuzz_video, fuzz_all or fuzz_trace; default: a component
                     of the file's path naming a harness (e.g.
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
                                  limit of the call reduction (default 30)
  DDIMAP_TRIAGE_MINIMIZE_RUNS     libFuzzer -runs (default 20000)
  DDIMAP_MUTANT, ASAN_OPTIONS, UBSAN_OPTIONS are passed through.

exit status: 0 every file triaged (new or known), 1 some file did not
reproduce (or its trace could not be written), 2 bad usage.
EOF
}

harnesses="fuzz_ndis_io fuzz_mm_io fuzz_umdf_io fuzz_ndis_file fuzz_video fuzz_all fuzz_trace"
invoked_from=$PWD
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

abspath() {  # relative paths are relative to where the script was invoked
  case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$invoked_from/$1" ;; esac
}

# ---------------------------------------------------------------------------
# Classification of a crash log.

# The signature of a crash log: the harness's SIGNATURE: line if present,
# else one built from a sanitizer (or libFuzzer) report; empty if neither.
classify_log() {
  local log=$1 sig
  sig=$(sed -n 's/^SIGNATURE: //p' "$log" | head -n 1)
  if [ -n "$sig" ]; then printf '%s\n' "$sig"; return; fi
  local san="" type="" line
  line=$(grep -m1 -E 'ERROR: [A-Za-z]+Sanitizer: ' "$log")
  if [ -n "$line" ]; then
    san=$(printf '%s\n' "$line" | sed -E 's/.*ERROR: ([A-Za-z]+Sanitizer): .*/\1/')
    type=$(printf '%s\n' "$line" | sed -E 's/.*ERROR: [A-Za-z]+Sanitizer: ([^ ]+).*/\1/')
    case $type in detected) type=memory-leak ;; esac
  else
    line=$(grep -m1 -E ': runtime error: ' "$log")
    if [ -n "$line" ]; then
      san=UndefinedBehaviorSanitizer
      # The error's words up to its first number, quote or colon.
      type=$(printf '%s\n' "$line" | sed -E "s/.*: runtime error: //; s/[:'\"].*//; s/(^| )(0x[0-9a-fA-F]+|-?[0-9]).*//; s/ +\$//; s/ +(of|for) type\$//; s/ +/-/g")
    else
      line=$(grep -m1 -E 'ERROR: libFuzzer: ' "$log")
      [ -n "$line" ] || return 0
      san=libFuzzer
      type=$(printf '%s\n' "$line" | sed -E 's/.*ERROR: libFuzzer: //; s/ after [0-9].*//; s/ *\(.*//; s/ +/-/g')
    fi
  fi
  # The first stack, its frames in ddimap code (core/, harnesses/), top 2.
  local frames
  frames=$(awk '
    /^ *#[0-9]+ 0x[0-9a-f]+ in / { infr = 1; print; next }
    infr { exit }' "$log" |
    sed -E 's/^ *#[0-9]+ 0x[0-9a-f]+ in //' |
    grep -E ' [^ ]*/(core|harnesses)/[^ ]*$' | grep -v -E ' /usr/' |
    sed -E 's/ [^ ]+$//; s/\(anonymous namespace\)/{anon}/g; s/\(.*//; s/ const$//' |
    head -n 2 | paste -sd ',' - | sed 's/,/, /g')
  printf '%s %s at %s\n' "$san" "$type" "${frames:-?}"
}

# ---------------------------------------------------------------------------
# Reproduction. Each sets $out (the log) and returns 0 when the input fails.

repro_bin() { printf '%s\n' "$build/harnesses/ddimap-repro"; }
fuzz_bin() { printf '%s\n' "$fuzz_build/harnesses/$harness"; }

# ddimap-repro on one input (binary; for fuzz_trace the text as a .trace).
run_repro() {  # FILE LOG [extra options]
  local f=$1 log=$2; shift 2
  if [ "$harness" = fuzz_trace ]; then
    cp "$f" "$work/input.trace"
    f=$work/input.trace
    timeout 120 "$(repro_bin)" "$@" "$f" >"$log" 2>&1
  else
    timeout 120 "$(repro_bin)" "$@" --profile "$harness" "$f" >"$log" 2>&1
  fi
}

have_fuzz_target() { [ -x "$(fuzz_bin)" ]; }
fuzz_target_is_libfuzzer() {
  have_fuzz_target && "$(fuzz_bin)" -help=1 2>&1 | grep -q 'minimize_crash'
}
# (In a subshell whose stderr is dropped: bash's "Aborted" job notice is noise.)
run_fuzz_target() {  # FILE LOG
  (ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1} \
   UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:symbolize=1} \
     timeout 120 "$(fuzz_bin)" -timeout=25 -rss_limit_mb=2560 "$1" >"$2" 2>&1; exit $?) 2>/dev/null
}

# Prints the signature of FILE's failure (empty when it runs clean); the
# ddimap-repro signature first, else the fuzz target's.
signature_of() {  # FILE
  local f=$1 sig=""
  if ! run_repro "$f" "$work/sig.repro.log"; then
    sig=$(classify_log "$work/sig.repro.log")
  fi
  if [ -z "$sig" ] && have_fuzz_target; then
    if ! run_fuzz_target "$f" "$work/sig.fuzz.log"; then
      sig=$(classify_log "$work/sig.fuzz.log")
      [ -n "$sig" ] || sig="crash $harness (unclassified)"
    fi
  fi
  printf '%s\n' "$sig"
}

# ---------------------------------------------------------------------------
# Minimisation.

# libFuzzer's crash minimiser; keeps the result only with the same signature.
minimize_libfuzzer() {  # IN OUT SIG
  local in=$1 outf=$2 sig=$3
  fuzz_target_is_libfuzzer || { echo "  minimise: no libFuzzer target at $(fuzz_bin), skipped"; return 1; }
  run_fuzz_target "$in" "$work/lf.check.log" && {
    echo "  minimise: the libFuzzer target does not crash on it, skipped"; return 1; }
  local secs=${DDIMAP_TRIAGE_MINIMIZE_SECONDS:-30} runs=${DDIMAP_TRIAGE_MINIMIZE_RUNS:-20000}
  rm -f "$outf"
  (ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
   UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
     timeout $((secs + 60)) "$(fuzz_bin)" -minimize_crash=1 -runs="$runs" -max_total_time="$secs" \
       -timeout=25 -rss_limit_mb=2560 -exact_artifact_path="$outf" "$in" >"$work/lf.min.log" 2>&1; exit $?) 2>/dev/null
  if [ ! -s "$outf" ]; then echo "  minimise: libFuzzer produced nothing smaller"; return 1; fi
  local got
  got=$(signature_of "$outf")
  if [ "$got" != "$sig" ]; then
    echo "  minimise: libFuzzer's $(wc -c <"$outf") bytes fail differently (${got:-clean}), discarded"
    return 1
  fi
  echo "  minimise: libFuzzer: $(wc -c <"$in") -> $(wc -c <"$outf") bytes, same signature"
}

# The trace of a binary input without comments or expectations (one call a line).
plain_trace() {  # BIN OUT
  run_repro "$1" "$work/plain.log" --no-oracle
  awk '/^ERROR: ddimap-repro: /{ exit } { print }' "$work/plain.log" | grep -v '^#' |
    sed -E 's/ *#.*$//' | grep -v -E '^ *$' >"$2"
}

# Drops one call at a time (last first) while the input still fails with the
# same signature; a dropped `rK = ...` renumbers later results. Needs
# ddimap-repro's binary form, so not for fuzz_trace.
minimize_calls() {  # BIN OUT SIG
  local in=$1 outf=$2 sig=$3
  [ "$harness" != fuzz_trace ] || return 1
  local cur=$work/red.cur.trace cand=$work/red.cand.trace cbin=$work/red.cand.bin
  plain_trace "$in" "$cur"
  local n0 n i changed=1 k
  n0=$(wc -l <"$cur")
  [ "$n0" -gt 1 ] || return 1
  cp "$in" "$outf"
  local deadline=$((SECONDS + ${DDIMAP_TRIAGE_MINIMIZE_SECONDS:-30}))
  while [ "$changed" = 1 ] && [ "$SECONDS" -lt "$deadline" ]; do
    changed=0
    n=$(wc -l <"$cur")
    for ((i = n; i >= 1; i--)); do
      [ "$SECONDS" -lt "$deadline" ] || { echo "  minimise: calls: time is up"; break; }
      [ "$(wc -l <"$cur")" -gt 1 ] || break
      [ "$i" -le "$(wc -l <"$cur")" ] || continue
      k=$(sed -n "${i}p" "$cur" | sed -n -E 's/^r([0-9]+) =.*/\1/p')
      if [ -n "$k" ]; then
        # skip when a later line still refers to rK
        if sed -n "$((i + 1)),\$p" "$cur" | grep -q -E "(^|[^A-Za-z0-9_])r${k}([^0-9]|\$)"; then continue; fi
        sed "${i}d" "$cur" | perl -pe 's/(^|[^A-Za-z0-9_])r(\d+)(?!\d)/$1 . "r" . ($2 > '"$k"' ? $2 - 1 : $2)/ge' >"$cand"
      else
        sed "${i}d" "$cur" >"$cand"
      fi
      "$(repro_bin)" --emit-binary "$cbin" "$cand" >/dev/null 2>&1 || continue
      if [ "$(signature_of "$cbin")" = "$sig" ]; then
        cp "$cand" "$cur"
        cp "$cbin" "$outf"
        changed=1
      fi
    done
  done
  n=$(wc -l <"$cur")
  if [ "$n" -lt "$n0" ]; then
    echo "  minimise: calls: $n0 -> $n, same signature"
    return 0
  fi
  echo "  minimise: calls: no call can go"
  return 1
}

# ---------------------------------------------------------------------------
# Known signatures.

tsv() { printf '%s\n' "$regressions/signatures.tsv"; }

# Prints the trace of an open known signature; returns 1 when none.
known_trace() {  # SIG
  local sig=$1 t seen_fixed=""
  [ -f "$(tsv)" ] || return 1
  while IFS=$'\t' read -r s t; do
    case $s in '#'* | '') continue ;; esac
    [ "$s" = "$sig" ] || continue
    local path=$t
    case $path in /*) ;; *) path=$regressions/$t ;; esac
    case $sig in
      oracle-mismatch* | self-check* | expectation*)
        # Open while its trace still fails on this build; once it replays
        # clean the bug was fixed, and a new crash with its signature is not it.
        if [ -f "$path" ] && timeout 120 "$(repro_bin)" --quiet "$path" >/dev/null 2>&1; then
          seen_fixed="$seen_fixed $path"
          continue
        fi ;;
    esac
    printf '%s\n' "$path"
    return 0
  done <"$(tsv)"
  [ -z "$seen_fixed" ] || echo "  note: known signature, but its trace(s)$seen_fixed now pass: treated as a new bug" >&2
  return 1
}

slug_of() {
  printf '%s' "$1" | tr '[:upper:]' '[:lower:]' | sed -E 's/[^a-z0-9]+/-/g; s/^-+//; s/-+$//' | cut -c1-80 | sed -E 's/-+$//'
}

# ---------------------------------------------------------------------------

triage_one() {  # FILE
  local file=$1
  echo "=== $file (harness $harness)"
  if [ ! -f "$file" ]; then echo "  cannot read $file"; return 1; fi
  # 1. reproduce
  local sig="" repro_sig="" fuzz_sig="" repro_ok=0
  if run_repro "$file" "$work/repro.log"; then
    echo "  ddimap-repro: runs clean"
  else
    repro_sig=$(classify_log "$work/repro.log")
    if [ -z "$repro_sig" ]; then
      echo "  ddimap-repro: failed without a signature:"; sed 's/^/    /' "$work/repro.log" | tail -n 5
    else
      echo "  ddimap-repro: reproduced: $repro_sig"
      repro_ok=1
    fi
  fi
  if have_fuzz_target; then
    if run_fuzz_target "$file" "$work/fuzz.log"; then
      echo "  $(fuzz_bin): runs clean"
    else
      fuzz_sig=$(classify_log "$work/fuzz.log")
      [ -n "$fuzz_sig" ] || fuzz_sig="crash $harness (unclassified)"
      echo "  $(fuzz_bin): reproduced: $fuzz_sig"
    fi
  else
    echo "  no fuzz target at $(fuzz_bin) (sanitizer crashes need it: cmake --preset libfuzzer-asan)"
  fi
  sig=${repro_sig:-$fuzz_sig}
  if [ -z "$sig" ]; then
    echo "  NOT REPRODUCIBLE: $file runs clean here"
    return 1
  fi
  # 2. classify + dedupe
  echo "  signature: $sig"
  local known
  if known=$(known_trace "$sig"); then
    echo "known: $sig -> $known"
    return 0
  fi
  # 3. minimise
  local min=$work/min.bin cur=$file
  if minimize_libfuzzer "$cur" "$work/min.lf.bin" "$sig"; then cur=$work/min.lf.bin; fi
  if [ "$repro_ok" = 1 ] || [ -z "$repro_sig" ]; then
    if minimize_calls "$cur" "$work/min.calls.bin" "$sig"; then cur=$work/min.calls.bin; fi
  fi
  cp "$cur" "$min"
  # 4. the regression trace
  local slug name trace n=1
  slug=$(slug_of "$sig")
  name=$slug.trace
  while [ -e "$regressions/$name" ]; do n=$((n + 1)); name=$slug-$n.trace; done
  trace=$regressions/$name
  # The core's actual results, call by call: with the oracle off the run goes
  # on past an oracle mismatch (ddimap-repro with the oracle stops at the
  # failing call, whose line would carry the teardown's outcome).
  local body=$work/body.trace
  if run_repro "$min" "$work/expect.log" --expect --no-oracle; then
    cp "$work/expect.log" "$body"
  else
    # The core alone fails too (a self-check): keep the calls up to the
    # failing one, the failing call without expectation.
    run_repro "$min" "$work/expect.log" --expect
    local failed
    failed=$(sed -n -E 's/^(self-check failed after|core and oracle disagree on|after) #([0-9]+) .*/\2/p' "$work/expect.log" | head -n 1)
    awk -v f="${failed:-0}" '
      /^ERROR: ddimap-repro: / { stop = 1 }
      stop { next }
      { if (f > 0 && index($0, "  # #" f " -> ") > 0) { sub(/ =>.*  # #/, "  # the failing call, see below; #"); }
        print }' "$work/expect.log" >"$body"
  fi
  run_repro "$min" "$work/final.log"
  {
    echo "# Regression trace written by ci/triage.sh on $(date -u +%Y-%m-%d)."
    echo "# signature: $sig"
    echo "# crash file: $(basename "$file") (harness $harness; full path: $file)"
    echo "# The '=>' expectations are what the core did when the crash was triaged:"
    echo "# edit the expectations to what docs/semantics.md says, then fix the core."
    echo "# The failure at triage time:"
    if [ -n "$repro_sig" ]; then
      sed -n '/^ERROR: ddimap-repro: /,/^SIGNATURE: /p' "$work/final.log" |
        sed "s|$min|the minimised input|; s/^/#   /"
    elif grep -q '^SIGNATURE: ' "$work/fuzz.log"; then
      sed -n '/^ERROR: ddimap-harness: /,/^SIGNATURE: /p' "$work/fuzz.log" | sed 's/^/#   /'
    else
      grep -E 'ERROR: |runtime error: |^ *#[0-9]+ 0x' "$work/fuzz.log" | head -n 12 | sed 's/^/#   /'
    fi
    grep -v -E '^# ddimap-repro: [0-9]+ input' "$body" | sed -E '1s/^# .* \((binary|trace)/# input (\1/'
  } >"$trace.tmp"
  # The trace must parse; a parse failure is exit status 2.
  local st
  timeout 120 "$(repro_bin)" --quiet --no-oracle "$trace.tmp" >/dev/null 2>&1
  st=$?
  if [ "$st" -ge 2 ]; then
    echo "  could not write a trace that parses: kept as $trace.broken"
    mv "$trace.tmp" "$trace.broken"
    return 1
  fi
  mv "$trace.tmp" "$trace"
  printf '%s\t%s\n' "$sig" "$name" >>"$(tsv)"
  echo "new: $sig -> $trace"
  echo "  wrote $trace ($(grep -c -v -E '^ *(#|$)' "$trace") calls) and added it to $(tsv)"
  echo "  next: edit its expectations to what docs/semantics.md says, fix the core, commit both files"
  return 0
}

# ---------------------------------------------------------------------------

harness=""
regressions=$root/tests/regressions
files=()
while [ $# -gt 0 ]; do
  case $1 in
    --help | -h) usage; exit 0 ;;
    --harness)
      [ $# -ge 2 ] || { echo "triage.sh: --harness needs a value" >&2; exit 2; }
      harness=$2; shift 2
      case " $harnesses " in *" $harness "*) ;; *) echo "triage.sh: unknown harness '$harness'" >&2; exit 2 ;; esac ;;
    --regressions)
      [ $# -ge 2 ] || { echo "triage.sh: --regressions needs a value" >&2; exit 2; }
      regressions=$(abspath "$2"); shift 2 ;;
    --classify)
      [ $# -ge 2 ] || { echo "triage.sh: --classify needs a value" >&2; exit 2; }
      [ -f "$2" ] || { echo "triage.sh: cannot read $2" >&2; exit 2; }
      classify_log "$2"; exit 0 ;;
    --) shift; while [ $# -gt 0 ]; do files+=("$(abspath "$1")"); shift; done ;;
    -*) echo "triage.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    *) files+=("$(abspath "$1")"); shift ;;
  esac
done
[ ${#files[@]} -gt 0 ] || { usage >&2; exit 2; }
[ -d "$regressions" ] || { echo "triage.sh: no directory $regressions" >&2; exit 2; }

build=$(abspath "${DDIMAP_BUILD_DIR:-$root/build/gcc-debug}")
fuzz_build=$(abspath "${DDIMAP_FUZZ_BUILD_DIR:-$root/build/libfuzzer-asan}")
if [ ! -x "$build/harnesses/ddimap-repro" ]; then
  echo "triage.sh: building ddimap-repro in $build"
  if [ "$build" = "$root/build/gcc-debug" ]; then
    (cd "$root" && cmake --preset gcc-debug >/dev/null &&
      cmake --build --preset gcc-debug --parallel "${JOBS:-$(nproc)}" --target ddimap-repro) || exit 2
  elif [ -f "$build/CMakeCache.txt" ]; then
    cmake --build "$build" --parallel "${JOBS:-$(nproc)}" --target ddimap-repro || exit 2
  else
    echo "triage.sh: $build is not a configured build tree" >&2; exit 2
  fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -f "$regressions/signatures.tsv" ] || : >"$regressions/signatures.tsv"

status=0 new=0 known=0 failed=0
given_harness=$harness
for f in "${files[@]}"; do
  harness=$given_harness
  if [ -z "$harness" ]; then
    harness=fuzz_all
    IFS=/ read -r -a parts <<<"$f"
    for p in "${parts[@]}"; do
      case " $harnesses " in *" $p "*) harness=$p ;; esac
    done
  fi
  triage_one "$f" 2>&1 | tee "$work/triage.out"
  rc=${PIPESTATUS[0]}
  if [ "$rc" -ne 0 ]; then
    status=1; failed=$((failed + 1))
  elif grep -q '^known: ' "$work/triage.out"; then
    known=$((known + 1))
  else
    new=$((new + 1))
  fi
done
echo "triage: ${#files[@]} file(s): $new new, $known known, $failed not reproduced or not written"
exit $status
