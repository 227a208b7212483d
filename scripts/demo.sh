#!/usr/bin/env bash
# The demo: both emulators on their default ports with seeded data, and how to reach them.
# Stops both on Ctrl-C.
#   scripts/demo.sh [BIN_DIR]
set -euo pipefail
bin=${1:-build/bin}
seed=${CRMSYNC_DEMO_SEED:-500}
sf_listen=${CRMSYNC_DEMO_SF:-127.0.0.1:8301}
hs_listen=${CRMSYNC_DEMO_HS:-127.0.0.1:8302}

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

"$bin/emu-salesforce" --listen "$sf_listen" --seed "$seed" &
pids+=($!)
"$bin/emu-hubspot" --listen "$hs_listen" --seed "$seed" &
pids+=($!)

wait_port() {
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://$1/__emu/stats" && return 0
    sleep 0.1
  done
  echo "demo: nothing answers on $1" >&2
  return 1
}
wait_port "$sf_listen"
wait_port "$hs_listen"

cat <<EOT

Both emulators are up with $seed seeded records per object.

Salesforce  http://$sf_listen
  token:  curl -s http://$sf_listen/services/oauth2/token \\
            -d grant_type=password -d client_id=crmsync-demo -d client_secret=crmsync-demo-secret \\
            -d username=integration@crmsync.test -d password=demo-passwordDEMOTOKEN
  query:  curl -s -H "Authorization: Bearer \$TOKEN" \\
            "http://$sf_listen/services/data/v62.0/query?q=SELECT+Id,Name,Email+FROM+Lead+LIMIT+5"

HubSpot     http://$hs_listen
  list:   curl -s -H "Authorization: Bearer pat-na1-crmsync-demo" \\
            "http://$hs_listen/crm/v3/objects/contacts?limit=5&properties=email,firstname,lastname"

Counters:   curl -s http://$sf_listen/__emu/stats   curl -s http://$hs_listen/__emu/stats

Ctrl-C stops both.
EOT
wait
