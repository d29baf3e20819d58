#!/usr/bin/env bash
# Mutation check: does the shipped corpus kill every semantic mutant of the core?
#
# Builds a lean mutants tree (gcc, Debug, -DDDIMAP_MUTANTS=ON, tests off, no
# fuzzing engine, target ddimap-repro only, in build/mutants, -j2), then, for
# each mutant in core/mutants/mutants.def, replays with DDIMAP_MUTANT=<name>:
#   ddimap-repro --quiet --profile fuzz_all corpus/fuzz_all/*
#   ddimap-repro --quiet corpus/traces/*/*.trace   (traces carry expectations)
# A mutant is killed when any input fails (oracle mismatch, self-check or
# expectation). The first killing input (binary inputs first, then traces) and
# its number of calls (from the repro's "# FILE (..., N calls)" header) are
# recorded. Prints a markdown table and the kill rate.
#
# A sanity run with no mutant selected must pass every input. Exit status: 0
# (whatever the kill rate) unless the build or the sanity run fails (1).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1
build=$root/build/mutants
def=$root/core/mutants/mutants.def
log=$build/mutants-logs

gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
mkdir -p "$build"
echo "--- building the mutants tree in $build" >&2
if ! env -u CFLAGS -u CXXFLAGS -u LDFLAGS -u LIB_FUZZING_ENGINE \
    cmake -S "$root" -B "$build" "${gen[@]}" -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ \
      -DCMAKE_BUILD_TYPE=Debug -DDDIMAP_BUILD_TESTS=OFF -DDDIMAP_MUTANTS=ON -DDDIMAP_FUZZING_ENGINE= \
      >"$build/configure.log" 2>&1; then
  cat "$build/configure.log" >&2; echo "FAIL: configuring the mutants tree" >&2; exit 1
fi
if ! env -u CFLAGS -u CXXFLAGS -u LDFLAGS -u LIB_FUZZING_ENGINE \
    cmake --build "$build" --parallel 2 --target ddimap-repro >"$build/build.log" 2>&1; then
  tail -n 40 "$build/build.log" >&2; echo "FAIL: building the mutants tree" >&2; exit 1
fi
repro=$build/harnesses/ddimap-repro
[ -x "$repro" ] || { echo "FAIL: no $repro" >&2; exit 1; }

shopt -s nullglob
bins=("$root"/corpus/fuzz_all/*)
traces=("$root"/corpus/traces/*/*.trace)
rm -rf "$log"; mkdir -p "$log"

# run NAME: replays everything under DDIMAP_MUTANT=NAME (empty: none); sets
# killed (yes/no), first (input path, relative) and calls.
run() {
  local name=$1 out first_line
  killed=no first=- calls=-
  for set in bins traces; do
    out=$log/${name:-none}.$set.log
    if [ "$set" = bins ]; then
      DDIMAP_MUTANT=$name "$repro" --quiet --profile fuzz_all "${bins[@]}" >"$out" 2>&1
    else
      DDIMAP_MUTANT=$name "$repro" --quiet "${traces[@]}" >"$out" 2>&1
    fi
    if [ $? -ne 0 ]; then
      killed=yes
      # The first failing input's header: "# PATH (trace|binary, PROFILE, N calls)".
      first_line=$(grep -m1 -E '^# /.* calls\)$' "$out")
      if [ -n "$first_line" ]; then
        first=$(printf '%s' "$first_line" | sed -E 's/^# (.*) \((trace|binary)[^()]*\)$/\1/')
        first=${first#"$root"/}
        calls=$(printf '%s' "$first_line" | sed -E 's/.* ([0-9]+) calls\)$/\1/')
      else
        first="(no header: $(tail -n1 "$out" | cut -c1-60))"
      fi
      return
    fi
  done
}

echo "--- sanity: no mutant selected" >&2
run ""
if [ "$killed" = yes ]; then
  echo "FAIL: the shipped corpus fails with no mutant selected (first: $first); see $log" >&2
  exit 1
fi

names=() whats=()
while IFS= read -r line; do
  n=$(printf '%s' "$line" | sed -E 's/^DDIMAP_MUTANT_ROW\(([A-Za-z0-9_]+),.*/\1/')
  w=$(printf '%s' "$line" | sed -E 's/^DDIMAP_MUTANT_ROW\([A-Za-z0-9_]+, *"(.*)"\) *$/\1/')
  names+=("$n"); whats+=("$w")
done < <(grep -E '^DDIMAP_MUTANT_ROW\(' "$def")

total=${#names[@]} kills=0
echo "| mutant | description | killed by the shipped corpus | first killing input | its calls |"
echo "|---|---|---|---|---|"
for i in "${!names[@]}"; do
  echo "--- mutant ${names[$i]}" >&2
  run "${names[$i]}"
  [ "$killed" = yes ] && kills=$((kills + 1))
  printf '| `%s` | %s | %s | %s | %s |\n' "${names[$i]}" "${whats[$i]//|/\\|}" "$killed" \
    "$( [ "$first" = - ] && echo - || echo "\`$first\`")" "$calls"
done
echo
echo "Kill rate: $kills/$total ($((total ? 100 * kills / total : 0))%) with ${#bins[@]} fuzz_all inputs and ${#traces[@]} traces."
exit 0
