#!/usr/bin/env bash
# Installs every dependency crmsync needs on a Debian 12 machine: the C
# toolchain and libraries from apt, and the peer-test clients from npm.
# Safe to run again: it installs only what is missing.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)

apt_packages=(
  build-essential cmake pkg-config git ca-certificates
  libcurl4-openssl-dev libmicrohttpd-dev libjansson-dev libsqlite3-dev
  libpq-dev libyaml-dev libssl-dev libcriterion-dev
  nodejs npm clang-format valgrind
)

missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
# node/npm may come from elsewhere than apt; accept them if on PATH
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  tmp=()
  for p in "${missing[@]}"; do
    case "$p" in nodejs|npm) ;; *) tmp+=("$p") ;; esac
  done
  missing=("${tmp[@]+"${tmp[@]}"}")
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ -f "$here/tests/peers/package.json" ]; then
  if [ ! -d "$here/tests/peers/node_modules" ] ||
     [ "$here/tests/peers/package.json" -nt "$here/tests/peers/node_modules/.stamp" ]; then
    echo "setup: installing peer-test clients from npm"
    (cd "$here/tests/peers" && npm install --no-audit --no-fund --loglevel=error &&
     touch node_modules/.stamp)
  fi
fi
echo "setup: ok"
