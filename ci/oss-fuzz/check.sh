#!/usr/bin/env bash
# A local check of the OSS-Fuzz build (ci/oss-fuzz/build.sh), without Docker.
#
#   ci/oss-fuzz/check.sh [--only CONFIG]... [--keep]
#     CONFIG: address (libFuzzer + ASan), undefined (libFuzzer + UBSan),
#             afl (AFL++ afl-clang-fast++ + ASan), coverage (clang source coverage)
#     --keep  keep the temporary $SRC/$OUT/$WORK trees (printed at the end)
#
# For each configuration it runs build.sh the way OSS-Fuzz's `compile` does --
# CC, CXX, CFLAGS, CXXFLAGS, LIB_FUZZING_ENGINE, SANITIZER, and fresh SRC, OUT
# and WORK directories, with build.sh at $SRC/build.sh and the repository at
# $SRC/ddimap as in the Docker image -- then checks the result the way
# check_build (infra/base-images/base-runner/test_all.py + bad_build_check)
# does:
#   - fuzz-target detection: exactly the seven harnesses in $OUT are executable
#     ELF files containing "LLVMFuzzerTestOneInput" (ddimap-repro is not one);
#   - layout: each target has H_seed_corpus.zip (flat), H.dict, H.options;
#   - libFuzzer builds: `H -seed=1337 -runs=4` finishes ("Done 4 runs"), with
#     coverage (cov: > 0 on its INITED/DONE line, >= 100 instrumented edges);
#   - sanitizer calls in the binary (objdump -dC, calls to __asan_* >= 1000 for
#     address, __ubsan_* >= 169 and no __asan_* for undefined; nm: __llvm_profile
#     symbols for coverage);
#   - the seed corpus, unzipped, replays clean through run_fuzzer's command line
#     (-rss_limit_mb=2560 -timeout=25 -runs=0, the .options and the dict);
#   - AFL++: every seed FILE replays clean through the AFL++ driver (given a
#     directory it silently does nothing), and afl-fuzz starts on the target
#     ("All set and ready to roll", no "target binary crashed/terminated") and
#     fuzzes for a few seconds (-V);
#   - coverage: the seed replay writes a profile that llvm-profdata can merge.
# One PASS/FAIL line per check; exit status 1 if any check failed.
#
# Runtime environment as OSS-Fuzz's base-runner sets it (ASAN_OPTIONS,
# UBSAN_OPTIONS with silence_unsigned_overflow=1, run_fuzzer's AFL_* settings).
# For UBSan builds the unsigned-integer-overflow sites the seeds reach (a
# recoverable check OSS-Fuzz uses as a coverage signal) are listed as INFO.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
all_configs=(address undefined afl coverage)
harnesses=(fuzz_ndis_io fuzz_mm_io fuzz_umdf_io fuzz_ndis_file fuzz_video fuzz_all fuzz_trace)

configs=()
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --only) configs+=("$2"); shift 2 ;;
    --only=*) configs+=("${1#--only=}"); shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,36p' "$0"; exit 0 ;;
    *) echo "check.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ ${#configs[@]} -gt 0 ] || configs=("${all_configs[@]}")
for c in "${configs[@]}"; do
  case " ${all_configs[*]} " in *" $c "*) ;; *) echo "check.sh: unknown configuration '$c' (${all_configs[*]})" >&2; exit 2 ;; esac
done

# --- OSS-Fuzz's flags ---------------------------------------------------------------
# Sources (google/oss-fuzz):
#   infra/base-images/base-clang/ubuntu-24-04.Dockerfile (2025; base-clang/Dockerfile the same):
#     CFLAGS (below), CXXFLAGS_EXTRA="-stdlib=libc++", CXXFLAGS="$CFLAGS $CXXFLAGS_EXTRA".
#     Its clang is current; clang 14 warns that -Wno-error=enum-constexpr-conversion and
#     -Wno-error=vla-cxx-extension are unknown (harmless: build.sh turns -Werror off).
#   infra/base-images/base-builder/Dockerfile (and ubuntu-24-04.Dockerfile):
#     SANITIZER_FLAGS_address, SANITIZER_FLAGS_undefined, SANITIZER_FLAGS_coverage="",
#     COVERAGE_FLAGS="-fsanitize=fuzzer-no-link", COVERAGE_FLAGS_coverage,
#     UBSAN_OPTIONS="silence_unsigned_overflow=1" (unsigned-integer-overflow is a
#     recoverable coverage signal, google/oss-fuzz#910).
#   infra/base-images/base-builder/compile: SANITIZER_FLAGS=$SANITIZER_FLAGS_$SANITIZER;
#     COVERAGE_FLAGS=$COVERAGE_FLAGS_$SANITIZER when that is set; COVERAGE_FLAGS empty
#     for the afl engine; CFLAGS="$CFLAGS $SANITIZER_FLAGS $COVERAGE_FLAGS";
#     CXXFLAGS="$CFLAGS $CXXFLAGS_EXTRA"; libFuzzer builds: LIB_FUZZING_ENGINE=-fsanitize=fuzzer.
#   infra/base-images/base-runner/Dockerfile: ASAN_OPTIONS, UBSAN_OPTIONS, FUZZER_ARGS.
#   infra/base-images/base-runner/run_fuzzer: the command lines and AFL_* settings.
BASE_CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -Wno-error=enum-constexpr-conversion -Wno-error=incompatible-function-pointer-types -Wno-error=int-conversion -Wno-error=deprecated-declarations -Wno-error=implicit-function-declaration -Wno-error=implicit-int -Wno-error=vla-cxx-extension -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
SANITIZER_FLAGS_address="-fsanitize=address -fsanitize-address-use-after-scope"
SANITIZER_FLAGS_undefined="-fsanitize=array-bounds,bool,builtin,enum,function,integer-divide-by-zero,null,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow,unsigned-integer-overflow,unreachable,vla-bound,vptr -fno-sanitize-recover=array-bounds,bool,builtin,enum,function,integer-divide-by-zero,null,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow,unreachable,vla-bound,vptr"
SANITIZER_FLAGS_coverage=""
COVERAGE_FLAGS="-fsanitize=fuzzer-no-link"
COVERAGE_FLAGS_coverage="-fprofile-instr-generate -fcoverage-mapping -pthread -Wl,--no-as-needed -Wl,-ldl -Wl,-lm -Wno-unused-command-line-argument"
RUNNER_ASAN_OPTIONS="alloc_dealloc_mismatch=0:allocator_may_return_null=1:allocator_release_to_os_interval_ms=500:check_malloc_usable_size=0:detect_container_overflow=1:detect_odr_violation=0:detect_leaks=1:detect_stack_use_after_return=1:fast_unwind_on_fatal=0:handle_abort=1:handle_segv=1:handle_sigill=1:max_uar_stack_size_log=16:print_scariness=1:quarantine_size_mb=10:strict_memcmp=1:symbolize=1:use_sigaltstack=1:dedup_token_length=3"
RUNNER_UBSAN_OPTIONS="print_stacktrace=1:print_summary=1:silence_unsigned_overflow=1:symbolize=1:dedup_token_length=3"
FUZZER_ARGS="-rss_limit_mb=2560 -timeout=25"
# bad_build_check thresholds.
MIN_EDGES=100
ASAN_CALLS_MIN=1000
UBSAN_CALLS_MIN=169
UBSAN_CALLS_MAX_NON_UBSAN=200

# OSS-Fuzz compiles C++ against libc++ (CXXFLAGS_EXTRA=-stdlib=libc++). Use it
# when it is installed (Debian: libc++-14-dev libc++abi-14-dev); else say so.
CXXFLAGS_EXTRA=""
if echo '#include <vector>
int main() { std::vector<int> v{1}; return v[0] - 1; }' |
   clang++ -stdlib=libc++ -x c++ - -o /dev/null >/dev/null 2>&1; then
  CXXFLAGS_EXTRA="-stdlib=libc++"
fi

for tool in cmake ninja zip python3 objdump nm od clang clang++; do
  command -v "$tool" >/dev/null || { echo "check.sh: '$tool' not found (ci/install-deps.sh)" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ddimap-oss-fuzz.XXXXXX")
if [ "$keep" -eq 0 ]; then trap 'rm -rf "$tmp"' EXIT; fi

failures=0
summary=()
pass() { echo "PASS [$cfg] $*"; }
fail() { echo "FAIL [$cfg] $*"; failures=$((failures + 1)); cfg_fail=$((cfg_fail + 1)); }
info() { echo "INFO [$cfg] $*"; }
show() { sed -n "1,${2:-40}p" "$1" | sed 's/^/    | /'; }

# libFuzzer flags from an .options file's [libfuzzer] section (run_fuzzer's parse_options.py).
options_args() {
  awk -F'=' '/^\[/{s=($0 ~ /^\[libfuzzer\]/)} s && /=/{k=$1; v=substr($0, index($0,"=")+1);
    gsub(/^[ \t]+|[ \t]+$/, "", k); gsub(/^[ \t]+|[ \t]+$/, "", v); printf "-%s=%s ", k, v}' "$1"
}

count_calls() {  # count_calls DISASSEMBLY PREFIX
  grep -cE "call[q]?[[:space:]]+[0-9a-f]+[[:space:]]+<$2" "$1" || true
}

# ELF magic and e_machine (62 = x86-64), without file(1).
is_elf() { [ "$(od -An -tx1 -N4 "$1" 2>/dev/null | tr -d ' \n')" = 7f454c46 ]; }
elf_machine() { od -An -tu2 -j18 -N2 "$1" 2>/dev/null | tr -d ' \n'; }

# Zip listing and extraction with python3's zipfile (unzip need not be installed).
zip_list() { python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$1"; }
zip_extract() { python3 -m zipfile -e "$1" "$2"; }

fmt_time() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

run_config() {
  local cfg=$1 cc=clang cxx=clang++ engine=libfuzzer san flags
  cfg_fail=0
  local start=$SECONDS
  case "$cfg" in
    address)   san=address;   flags="$BASE_CFLAGS $SANITIZER_FLAGS_address $COVERAGE_FLAGS" ;;
    undefined) san=undefined; flags="$BASE_CFLAGS $SANITIZER_FLAGS_undefined $COVERAGE_FLAGS" ;;
    afl)       san=address;   flags="$BASE_CFLAGS $SANITIZER_FLAGS_address"; engine=afl
               cc=afl-clang-fast; cxx=afl-clang-fast++ ;;
    coverage)  san=coverage;  flags="$BASE_CFLAGS $SANITIZER_FLAGS_coverage $COVERAGE_FLAGS_coverage" ;;
  esac
  local base=$tmp/$cfg
  local SRC=$base/src OUT=$base/out WORK=$base/work
  mkdir -p "$SRC" "$OUT" "$WORK"
  cp "$here/build.sh" "$SRC/build.sh"
  ln -s "$root" "$SRC/ddimap"

  echo "=== oss-fuzz check: $cfg (engine $engine, SANITIZER=$san) ==="
  [ -n "$CXXFLAGS_EXTRA" ] || info "libc++ not installed (libc++-14-dev): CXXFLAGS without OSS-Fuzz's -stdlib=libc++"
  if [ "$engine" = afl ]; then
    { command -v afl-clang-fast++ >/dev/null && command -v afl-fuzz >/dev/null; } ||
      { fail "build: afl-clang-fast++ / afl-fuzz not found (afl++)"; summary+=("$cfg: FAIL (no AFL++) $(fmt_time $((SECONDS - start)))"); return; }
  fi

  # The build, as `compile` runs it: bash -eux $SRC/build.sh, from $SRC.
  local t0=$SECONDS
  if (cd "$SRC" && env -u LDFLAGS -u CPPFLAGS -u LLVM_PROFILE_FILE \
        CC="$cc" CXX="$cxx" CFLAGS="$flags" CXXFLAGS="$flags $CXXFLAGS_EXTRA" \
        LIB_FUZZING_ENGINE="-fsanitize=fuzzer" SANITIZER="$san" FUZZING_ENGINE="$engine" \
        SRC="$SRC" OUT="$OUT" WORK="$WORK" AFL_QUIET=1 \
        ASAN_OPTIONS="detect_leaks=0:symbolize=0:detect_odr_violation=0:abort_on_error=1" \
        bash -eux "$SRC/build.sh") >"$base/build.log" 2>&1; then
    pass "build.sh ($(fmt_time $((SECONDS - t0))))"
  else
    fail "build.sh failed (log $base/build.log; its end:)"
    tail -n 40 "$base/build.log" | sed 's/^/    | /'
    summary+=("$cfg: FAIL (build) $(fmt_time $((SECONDS - start)))")
    return
  fi

  # Fuzz-target detection as test_all.py's find_fuzz_targets.
  local found=() f
  for f in "$OUT"/*; do
    local n; n=$(basename "$f")
    [ -f "$f" ] && [ -x "$f" ] || continue
    case "$n" in llvm-symbolizer|afl-*|jazzer_*) continue ;; esac
    is_elf "$f" || continue
    grep -q LLVMFuzzerTestOneInput "$f" || continue
    found+=("$n")
  done
  local want got
  want=$(printf '%s\n' "${harnesses[@]}" | sort | tr '\n' ' ')
  got=$(printf '%s\n' "${found[@]}" | sort | tr '\n' ' ')
  if [ "$want" = "$got" ]; then pass "fuzz-target detection: ${#found[@]} targets ($got)"
  else fail "fuzz-target detection: found '$got', want '$want'"; fi
  if [ -e "$OUT/ddimap-repro" ]; then
    if grep -q LLVMFuzzerTestOneInput "$OUT/ddimap-repro"; then fail "ddimap-repro in \$OUT looks like a fuzz target"
    else pass "ddimap-repro in \$OUT, not a fuzz target (uninstrumented: $(grep -c __asan_init "$OUT/ddimap-repro" || true) __asan_init refs)"; fi
  else
    info "ddimap-repro left in \$WORK/build-tools/harnesses"
  fi

  local h
  for h in "${harnesses[@]}"; do
    local bin=$OUT/$h seeds=$base/seeds/$h n_seeds n_zip
    # Layout.
    if [ -x "$bin" ] && [ -s "$OUT/$h.dict" ] && [ -s "$OUT/$h.options" ] && [ -s "$OUT/${h}_seed_corpus.zip" ]; then
      n_seeds=$(find "$root/corpus/$h" -maxdepth 1 -type f | wc -l)
      zip_list "$OUT/${h}_seed_corpus.zip" >"$base/$h.ziplist"
      n_zip=$(grep -vc / "$base/$h.ziplist" || true)
      if [ "$n_zip" -eq "$n_seeds" ] && ! grep -q / "$base/$h.ziplist"; then
        pass "$h layout: target, .dict, .options, seed corpus ($n_zip files, flat)"
      else
        fail "$h layout: seed corpus holds $n_zip flat entries, corpus/$h has $n_seeds (or it has directories)"
      fi
    else
      fail "$h layout: missing target, .dict, .options or _seed_corpus.zip in \$OUT"
      continue
    fi
    mkdir -p "$seeds"
    zip_extract "$OUT/${h}_seed_corpus.zip" "$seeds"

    # Architecture (bad_build_check check_architecture).
    if [ "$(elf_machine "$bin")" = 62 ]; then :; else fail "$h is not an x86-64 ELF binary"; fi

    # Sanitizer calls (bad_build_check check_mixed_sanitizers).
    local dis=$base/$h.dis asan ubsan prof
    case "$san" in
      address|undefined)
        objdump -dC "$bin" >"$dis" 2>/dev/null || true
        asan=$(count_calls "$dis" __asan)
        ubsan=$(count_calls "$dis" __ubsan)
        rm -f "$dis"
        if [ "$san" = address ]; then
          if [ "$asan" -ge "$ASAN_CALLS_MIN" ] && [ "$ubsan" -le "$UBSAN_CALLS_MAX_NON_UBSAN" ]; then
            pass "$h sanitizer calls: $asan to __asan_* (>= $ASAN_CALLS_MIN), $ubsan to __ubsan_* (<= $UBSAN_CALLS_MAX_NON_UBSAN)"
          else
            fail "$h sanitizer calls: $asan to __asan_* (want >= $ASAN_CALLS_MIN), $ubsan to __ubsan_* (want <= $UBSAN_CALLS_MAX_NON_UBSAN)"
          fi
        else
          if [ "$ubsan" -ge "$UBSAN_CALLS_MIN" ] && [ "$asan" -eq 0 ]; then
            pass "$h sanitizer calls: $ubsan to __ubsan_* (>= $UBSAN_CALLS_MIN), no __asan_*"
          else
            fail "$h sanitizer calls: $ubsan to __ubsan_* (want >= $UBSAN_CALLS_MIN), $asan to __asan_* (want 0)"
          fi
        fi ;;
      coverage)
        prof=$(nm "$bin" 2>/dev/null | grep -c __llvm_profile || true)
        asan=$(nm "$bin" 2>/dev/null | grep -c ' __asan_init' || true)
        if [ "$prof" -gt 0 ] && [ "$asan" -eq 0 ]; then pass "$h coverage instrumentation: $prof __llvm_profile symbols, no ASan"
        else fail "$h coverage instrumentation: $prof __llvm_profile symbols (want > 0), __asan_init $asan (want 0)"; fi ;;
    esac

    local log=$base/$h.log opts
    opts=$(options_args "$OUT/$h.options")
    if [ "$engine" = libfuzzer ]; then
      # -runs=4 (bad_build_check check_engine / check_startup_crash); not for
      # coverage builds, which have no fuzzer coverage instrumentation.
      if [ "$san" != coverage ]; then
        (cd "$OUT" && ASAN_OPTIONS=$RUNNER_ASAN_OPTIONS UBSAN_OPTIONS=$RUNNER_UBSAN_OPTIONS \
           "./$h" -seed=1337 -runs=4 </dev/null) >"$log" 2>&1 || true
        local edges cov
        edges=$(grep -oE 'INFO: Loaded [0-9]+ module.*\(.*(counters|guards)\): *[0-9]+' "$log" | grep -oE '[0-9]+$' | head -n1 || true)
        cov=$(grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)' "$log" | grep -oE 'cov: [0-9]+' | grep -oE '[0-9]+' | sort -n | tail -n1 || true)
        if grep -q 'Done 4 runs' "$log" && ! grep -q 'no interesting inputs were found' "$log" &&
           [ "${cov:-0}" -gt 0 ] && [ "${edges:-0}" -ge "$MIN_EDGES" ]; then
          pass "$h -runs=4: done, cov: $cov, $edges instrumented edges"
        else
          fail "$h -runs=4: cov '${cov:-none}', edges '${edges:-none}' (log:)"; show "$log" 40
        fi
      fi
      # Seed corpus replay (bad_build_check check_seed_corpus via run_fuzzer).
      local profdir=$base/profiles/$h
      mkdir -p "$profdir"
      # shellcheck disable=SC2086
      if (cd "$OUT" && ASAN_OPTIONS=$RUNNER_ASAN_OPTIONS UBSAN_OPTIONS=$RUNNER_UBSAN_OPTIONS \
            LLVM_PROFILE_FILE="$profdir/%p.profraw" \
            "./$h" $FUZZER_ARGS -runs=0 "$seeds" $opts </dev/null) >"$log" 2>&1 &&
         ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer|ddimap-harness)|runtime error:' "$log"; then
        local seedcov
        seedcov=$(grep -oE 'INITED.*cov: [0-9]+' "$log" | grep -oE 'cov: [0-9]+' | head -n1 || true)
        pass "$h seed corpus replays clean (-runs=0, $(ls "$seeds" | wc -l) inputs${seedcov:+, $seedcov})"
      else
        fail "$h seed corpus replay failed (log:)"; grep -m5 -E 'ERROR|runtime error|SUMMARY' "$log" | sed 's/^/    | /'
      fi
      if [ "$san" = coverage ]; then
        if command -v llvm-profdata >/dev/null && compgen -G "$profdir/*.profraw" >/dev/null &&
           llvm-profdata merge -sparse "$profdir"/*.profraw -o "$profdir/merged.profdata" 2>"$base/$h.profdata.log" &&
           [ -s "$profdir/merged.profdata" ]; then
          pass "$h coverage profile written and merged ($(du -k "$profdir/merged.profdata" | cut -f1) KiB)"
        else
          fail "$h coverage profile: no mergeable .profraw in $profdir"
        fi
      fi
      # UBSan: where do the seeds overflow unsigned arithmetic (silenced above)?
      if [ "$san" = undefined ]; then
        # shellcheck disable=SC2086
        (cd "$OUT" && UBSAN_OPTIONS="print_stacktrace=0:silence_unsigned_overflow=0:report_error_type=1:dedup_token_length=3" \
           "./$h" $FUZZER_ARGS -runs=0 "$seeds" $opts </dev/null) >"$log.uio" 2>&1 || true
        grep -oE '[^ ]+:[0-9]+:[0-9]+: runtime error: unsigned integer overflow' "$log.uio" |
          sed -E 's#^.*/(core|harnesses)/#\1/#; s/: runtime error: unsigned integer overflow//' |
          sort | uniq -c | sort -rn >"$base/$h.uio" || true
        if [ -s "$base/$h.uio" ]; then
          info "$h unsigned-integer-overflow sites reached by the seeds (recoverable, silenced by OSS-Fuzz): $(awk '{printf "%s%s(x%s)", (NR>1?", ":""), $2, $1}' "$base/$h.uio")"
        fi
      fi
    else
      # AFL++: replay the seed FILES through the driver (a directory would be skipped silently).
      local afl_asan="$RUNNER_ASAN_OPTIONS:abort_on_error=1:symbolize=0:detect_odr_violation=0:"
      local files=("$seeds"/*)
      if (cd "$OUT" && ASAN_OPTIONS=$afl_asan UBSAN_OPTIONS="$RUNNER_UBSAN_OPTIONS:symbolize=0" \
            "./$h" "${files[@]}" </dev/null) >"$log" 2>&1 &&
         ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|ddimap-harness)|runtime error:' "$log"; then
        pass "$h seed files replay clean through the AFL++ driver (${#files[@]} files)"
      else
        fail "$h seed file replay through the AFL++ driver failed (log:)"; grep -m5 -E 'ERROR|SUMMARY' "$log" | sed 's/^/    | /'
      fi
      # afl-fuzz starts (bad_build_check check_engine for afl), as run_fuzzer runs it.
      local in=$base/afl-in/$h outdir=$base/afl-out/$h dict=()
      mkdir -p "$in" "$(dirname "$outdir")" && cp "${files[@]}" "$in/" && echo input >"$in/input"
      [ -s "$OUT/$h.dict" ] && dict=(-x "$OUT/$h.dict")
      (cd "$OUT" && env ASAN_OPTIONS="$afl_asan" UBSAN_OPTIONS="$RUNNER_UBSAN_OPTIONS:symbolize=0" \
         AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_TRY_AFFINITY=1 \
         AFL_FAST_CAL=1 AFL_CMPLOG_ONLY_NEW=1 AFL_FORKSRV_INIT_TMOUT=30000 AFL_IGNORE_PROBLEMS=1 \
         AFL_IGNORE_UNKNOWN_ENVS=1 \
         timeout --preserve-status -s INT 120s \
         afl-fuzz -m none -t 5000+ -i "$in" -o "$outdir" "${dict[@]}" -V 5 -- "./$h" </dev/null) >"$log" 2>&1 || true
      local execs
      execs=$(sed -nE 's/^execs_done *: *([0-9]+).*/\1/p' "$outdir"/default/fuzzer_stats 2>/dev/null | head -n1 || true)
      if grep -qa 'All set and ready to roll' "$log" && ! grep -qaE 'target binary (crashed|terminated)|PROGRAM ABORT' "$log" &&
         [ "${execs:-0}" -gt 0 ]; then
        pass "$h afl-fuzz starts and fuzzes (-V 5: $execs executions)"
      else
        fail "$h afl-fuzz did not start cleanly (execs_done '${execs:-none}'; log:)"
        grep -aE 'PROGRAM ABORT|Location|target binary|ERROR|\[-\]|OS message' "$log" | head -n 15 | sed 's/^/    | /'
      fi
    fi
  done

  local took=$((SECONDS - start))
  if [ "$cfg_fail" -eq 0 ]; then summary+=("$cfg: PASS $(fmt_time $took)")
  else summary+=("$cfg: FAIL ($cfg_fail checks) $(fmt_time $took)"); fi
}

for cfg in "${configs[@]}"; do
  run_config "$cfg"
done

echo
echo "=== oss-fuzz check summary ==="
for line in "${summary[@]}"; do echo "$line"; done
[ "$keep" -eq 0 ] || echo "trees kept in $tmp"
if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) FAILED"
  exit 1
fi
echo "all checks passed"
