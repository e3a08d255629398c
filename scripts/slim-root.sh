#!/usr/bin/env bash
# Builds (once) a Debian 12 root with nothing but its minimal base, as a slim Node image has: no libcurl4,
# libsqlite3-0, libexpat1 or libssl3. tests/packaging runs the installed package in it with chroot.
# Prints the root's path. The root is cached: debootstrap runs only when it is missing or incomplete.
set -euo pipefail
root="${STRATA_SLIM_ROOT:-/var/cache/stratacache/bookworm-minbase}"
if [ ! -f "$root/.complete" ]; then
  rm -rf "$root"
  mkdir -p "$(dirname "$root")"
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  debootstrap --variant=minbase bookworm "$root" "${mirror:-http://deb.debian.org/debian}" > "$root.log" 2>&1 \
    || { tail -20 "$root.log" >&2; exit 1; }
  touch "$root/.complete"
fi
echo "$root"
