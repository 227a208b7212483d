#!/usr/bin/env bash
# Runs tests under valgrind's memcheck: the Criterion unit tests, and scenarios with the real
# crmsync and both emulators each wrapped in valgrind. Any memory error, or a definite or
# indirect leak, in any process fails the run, and its valgrind log is printed.
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

logs="$build/valgrind"
rm -rf "$logs"
mkdir -p "$logs/bin"
vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
  --show-leak-kinds=definite,indirect)

# Prints every non-empty log and fails if there is one.
verdict() {
  local bad=0 f
  for f in "$logs"/*.log; do
    [ -s "$f" ] || continue
    echo "valgrind: $(basename "$f"):"
    cat "$f"
    bad=1
  done
  return $bad
}

run_units() {
  local names=${VALGRIND_UNITS:-} t rc failed=0
  [ -n "$names" ] || names=$(cd "$build/tests" && ls unit_* 2>/dev/null)
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

run_scenarios() {
  local b files
  for b in crmsync emu-hubspot emu-salesforce; do
    cat >"$logs/bin/$b" <<EOF
#!/bin/sh
exec ${vg[*]} --log-file="$logs/$b.%p.log" "$build/bin/$b" "\$@"
EOF
    chmod +x "$logs/bin/$b"
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
    scenarios) run_scenarios || status=$? ;;
    *) echo "scripts/valgrind.sh: unknown part '$w' (unit, scenarios)" >&2; exit 2 ;;
  esac
done
verdict || status=1
[ $status -eq 0 ] && echo "valgrind: clean"
exit $status
