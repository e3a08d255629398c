#!/usr/bin/env bash
# Installs the Debian packages stratacache builds and tests with. Safe to run again; skips what is present.
set -euo pipefail
packages=(cmake g++ make clang libclang-rt-14-dev libgtest-dev libxxhash-dev emscripten chromium
  libcurl4-openssl-dev libssl-dev libexpat1-dev nlohmann-json3-dev libsqlite3-dev debootstrap bzip2 xz-utils
  memcached redis-server redis-tools)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ! command -v node > /dev/null; then missing+=(nodejs npm); fi
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "stratacache needs Node.js 20 or later; this machine has $(node --version)" >&2
  exit 1
fi
