#!/usr/bin/env bash
# Emulator throughput on this machine: starts each emulator with limits off on a free loopback
# port, runs every scenario of emu_load against it, and prints one line per scenario.
#   bench/run.sh [BIN_DIR] [SECONDS] [CONCURRENCY]
set -euo pipefail
bin=${1:-build/bin}
secs=${2:-5}
conc=${3:-8}

start_emu() { # vendor -> sets EMU_PID, EMU_URL
  local log
  log=$(mktemp)
  "$bin/emu-$1" --listen 127.0.0.1:0 --no-limits >"$log" 2>/dev/null &
  EMU_PID=$!
  for _ in $(seq 1 100); do
    EMU_URL=$(grep -o 'http://[0-9.:]*' "$log" || true)
    [ -n "$EMU_URL" ] && break
    sleep 0.1
  done
  rm -f "$log"
  [ -n "$EMU_URL" ] || { echo "emu-$1 did not start" >&2; exit 1; }
}

echo "# $(nproc) cores, ${secs}s per scenario, concurrency ${conc}"
start_emu salesforce
for s in single-create single-read collections-create query-pages; do
  "$bin/emu_load" salesforce "$EMU_URL" "$s" --seconds "$secs" --concurrency "$conc"
done
kill "$EMU_PID"; wait "$EMU_PID" 2>/dev/null || true

start_emu hubspot
for s in single-create single-read batch-create search-pages; do
  "$bin/emu_load" hubspot "$EMU_URL" "$s" --seconds "$secs" --concurrency "$conc"
done
kill "$EMU_PID"; wait "$EMU_PID" 2>/dev/null || true
