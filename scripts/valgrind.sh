#!/usr/bin/env bash
# Runs tests under valgrind's memcheck: the Criterion unit tests, and scenarios with the real
# crmsync and both emulators each wrapped in valgrind. Any memory error, or a definite or
# indirect leak, in any process fails the run, and its valgrind log is printed. A process killed
# before valgrind could check it (a crash test's SIGKILL) is listed as not checked.
#
#   scripts/valgrind.sh BUILD_DIR [unit] [scenarios]      (both when neither is named)
#   VALGRIND_UNITS="unit_engine_planner unit_core_buf"    which unit tests (default: all)
#   VALGRIND_SCENARIOS="tests/scenarios/deals.test.mjs"   which scenarios (default: a set that
#                                                         covers each object, the timeline,
#                                                         the admin API and sync health)
#
# Far slower than the AddressSanitizer run of `make check`, so not part of it: `make valgrind`.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:?usage: scripts/valgrind.sh BUILD_DIR [unit] [scenarios]}" && pwd)
shift
what=("$@")
[ ${#what[@]} -eq 0 ] && what=(unit scenarios)
command -v valgrind >/dev/null || { echo "scripts/valgrind.sh: valgrind is not installed" >&2; exit 2; }

logs="$build/valgrind"
rm -rf "$logs"
mkdir -p "$logs/bin"
vg=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
  --show-leak-kinds=definite,indirect)

# Prints every log with an error, lists the processes valgrind could not check, and fails if
# there is an error or nothing was checked at all.
verdict() {
  local bad=0 checked=0 unchecked=() f
  for f in "$logs"/*.log; do
    [ -e "$f" ] || continue
    if grep -q 'ERROR SUMMARY: 0 errors' "$f"; then
      checked=$((checked + 1))
    elif grep -q 'ERROR SUMMARY' "$f"; then
      echo "valgrind: $(basename "$f"):"
      cat "$f"
      bad=1
    else
      unchecked+=("$(basename "$f" .log)")
    fi
  done
  echo "valgrind: $checked processes checked"
  [ ${#unchecked[@]} -eq 0 ] || echo "valgrind: killed before a check: ${unchecked[*]}"
  [ $checked -gt 0 ] || { echo "valgrind: nothing was checked"; bad=1; }
  return $bad
}

run_units() {
  local names=${VALGRIND_UNITS:-} t rc failed=0
  [ -n "$names" ] || names=$(cd "$build/tests" 2>/dev/null && ls unit_* 2>/dev/null || true)
  [ -n "$names" ] || { echo "valgrind: no unit tests in $build/tests" >&2; return 1; }
  for t in $names; do
    echo "valgrind: $t"
    # Criterion runs each test in a child of its own: follow them
    rc=0
    "${vg[@]}" --trace-children=yes --log-file="$logs/$t.%p.log" "$build/tests/$t" >/dev/null || rc=$?
    if [ $rc -ne 0 ]; then
      echo "valgrind: $t exited $rc"
      failed=1
    fi
  done
  return $failed
}

# One wrapper per binary, so the scenarios start each process under valgrind.
wrap() {
  local b=$1
  {
    echo '#!/bin/sh'
    printf 'exec'
    printf ' %q' "${vg[@]}" "--log-file=$logs/$b.%p.log" "$build/bin/$b"
    printf ' "$@"\n'
  } >"$logs/bin/$b"
  chmod +x "$logs/bin/$b"
}

run_scenarios() {
  local b files
  for b in crmsync emu-hubspot emu-salesforce; do
    wrap "$b"
  done
  files=${VALGRIND_SCENARIOS:-$(printf 'tests/scenarios/%s.test.mjs ' contacts-create companies \
    deals timeline tickets admin health)}
  # one file at a time: each process runs some 20 times slower under valgrind
  (cd "$here" && CRMSYNC_BIN_DIR="$logs/bin" node --test --test-concurrency=1 $files)
}

status=0
for w in "${what[@]}"; do
  case "$w" in
    unit) run_units || status=1 ;;
    scenarios) run_scenarios || status=1 ;;
    *) echo "scripts/valgrind.sh: unknown part '$w' (unit, scenarios)" >&2; exit 2 ;;
  esac
done
verdict || status=1
[ $status -eq 0 ] && echo "valgrind: clean"
exit $status
