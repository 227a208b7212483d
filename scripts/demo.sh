#!/usr/bin/env bash
# The demo (`make demo`): both emulators with seeded data, crmsync syncing them on SQLite with
# live progress, and a short scripted tour (an edit on each side, timed until the other side
# shows it, and what `crmsync explain` says about it). Then it keeps syncing until Ctrl-C, which
# stops everything.
#
#   scripts/demo.sh [BIN_DIR] [--tour-then-exit]
#
# Environment (all optional):
#   CRMSYNC_DEMO_SEED   records per object each emulator is seeded with (default 1500)
#   CRMSYNC_DEMO_SF     emu-salesforce's HOST:PORT (default 127.0.0.1:8301; port 0 picks one)
#   CRMSYNC_DEMO_HS     emu-hubspot's HOST:PORT (default 127.0.0.1:8302; port 0 picks one)
#   CRMSYNC_DEMO_DIR    where crmsync's demo configuration, store and logs go
#                       (default build/crmsync-demo)
#   DEMO_TOUR_ONLY=1    the same as --tour-then-exit: stop after the tour (exit 0 when both edits
#                       arrived), leaving both sides' people as JSON in the demo directory;
#                       tests use it. --result FILE / CRMSYNC_DEMO_RESULT keeps the tour's ids
#                       and timings as JSON.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=build/bin
tour_only=${DEMO_TOUR_ONLY:-0}
result=${CRMSYNC_DEMO_RESULT:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --tour-then-exit) tour_only=1 ;;
    --result) result=$2; shift ;;
    -*) echo "usage: scripts/demo.sh [BIN_DIR] [--tour-then-exit] [--result FILE]" >&2; exit 2 ;;
    *) bin=$1 ;;
  esac
  shift
done
bin=$(cd "$bin" && pwd)
seed=${CRMSYNC_DEMO_SEED:-1500}
sf_listen=${CRMSYNC_DEMO_SF:-127.0.0.1:8301}
hs_listen=${CRMSYNC_DEMO_HS:-127.0.0.1:8302}
dir=${CRMSYNC_DEMO_DIR:-build/crmsync-demo}
ready_timeout=${CRMSYNC_DEMO_READY_TIMEOUT:-300}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# On a terminal crmsync keeps one progress line updated: clear it before printing a line.
if [ -t 1 ]; then clear=$'\r\033[K'; else clear=''; fi
say() { printf '%s%s\n' "$clear" "$*"; }

emu_pids=()
crmsync_pid=
cleanup() {
  local rc=$? crc=0
  trap - EXIT INT TERM
  # crmsync first, so it can finish its pass and print its summary while both sides answer
  if [ -n "$crmsync_pid" ]; then
    kill -TERM "$crmsync_pid" 2>/dev/null || true
    wait "$crmsync_pid" 2>/dev/null || crc=$?
    if [ "$crc" != 0 ] && [ "$rc" = 0 ]; then
      echo "demo: crmsync demo exited with status $crc" >&2
      rc=1
    fi
  fi
  for p in "${emu_pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${emu_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Starts an emulator; sets emu_url to its base URL once it says it is listening.
emu_url=
start_emu() {
  local name=$1 listen=$2 log="$dir/$1.log" pid
  shift 2
  "$bin/$name" --listen "$listen" "$@" >"$log" 2>&1 &
  pid=$!
  emu_pids+=("$pid")
  for _ in $(seq 1 300); do
    emu_url=$(sed -n 's/.* listening on \(http:[^ ]*\).*/\1/p' "$log" | head -n1)
    [ -n "$emu_url" ] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "demo: $name did not start on $listen:" >&2
  cat "$log" >&2
  exit 1
}

say "demo: starting emu-salesforce and emu-hubspot, $seed seeded records per object each"
start_emu emu-salesforce "$sf_listen"
sf_url=$emu_url
start_emu emu-hubspot "$hs_listen" --seed "$seed"
hs_url=$emu_url
# Salesforce's seed through the control API, with the bad values imports leave behind
created=$(curl -sS -f -X POST "$sf_url/__emu/seed" -H 'content-type: application/json' \
  -d "{\"count\":$seed,\"bad_values\":true}")
say "demo: Salesforce $sf_url seeded: $created"
say "demo: HubSpot    $hs_url seeded: $(curl -sS -f "$hs_url/__emu/stats" |
  sed -n 's/.*"records":\({[^}]*}\).*/\1/p')"
node "$here/scripts/demo-tour.mjs" prepare --hubspot "$hs_url" --salesforce "$sf_url" \
  --seed "$seed"

say "demo: starting crmsync demo (store in $dir); the first sync copies everything across"
rm -f "$dir/ready"
"$bin/crmsync" demo --dir "$dir" --fresh --hubspot "$hs_url" --salesforce "$sf_url" \
  --ready-file "$dir/ready" &
crmsync_pid=$!

waited=0
until [ -s "$dir/ready" ]; do
  if ! kill -0 "$crmsync_pid" 2>/dev/null; then
    crmsync_pid=
    say "demo: crmsync stopped before the initial sync was done"
    exit 1
  fi
  if [ "$waited" -ge $((ready_timeout * 10)) ]; then
    say "demo: the initial sync was not done after ${ready_timeout}s"
    exit 1
  fi
  sleep 0.1
  waited=$((waited + 1))
done

tour_rc=0
node "$here/scripts/demo-tour.mjs" tour --hubspot "$hs_url" --salesforce "$sf_url" \
  --crmsync "$bin/crmsync" --config "$dir/crmsync.yaml" ${result:+--result "$result"} ||
  tour_rc=$?

if [ "$tour_rc" = 0 ] && [ "$tour_only" != 1 ]; then
  say "demo: crmsync keeps syncing. Edit records yourself:"
  say "  HubSpot    curl -s -X PATCH -H 'Authorization: Bearer pat-na1-crmsync-demo' \\"
  say "               -H 'content-type: application/json' \\"
  say "               -d '{\"properties\":{\"jobtitle\":\"CTO\"}}' \\"
  say "               $hs_url/crm/v3/objects/contacts/ID"
  say "  Salesforce token: curl -s $sf_url/services/oauth2/token -d grant_type=password \\"
  say "               -d client_id=crmsync-demo -d client_secret=crmsync-demo-secret \\"
  say "               -d username=integration@crmsync.test -d password=demo-passwordDEMOTOKEN"
  say "  Status     $bin/crmsync --config $dir/crmsync.yaml status"
  say "demo: Ctrl-C stops crmsync and both emulators."
  wait "$crmsync_pid" || true
  crmsync_pid=
  exit 0
fi
# both sides as the tour left them, for a look afterwards (and for tests)
curl -sS -f "$hs_url/__emu/records/contacts" >"$dir/hubspot-contacts.json" || true
for o in Lead Contact; do
  curl -sS -f "$sf_url/__emu/records/$o" >"$dir/salesforce-$o.json" || true
done
say "demo: both sides' people are in $dir/hubspot-contacts.json and salesforce-{Lead,Contact}.json"
exit "$tour_rc"
