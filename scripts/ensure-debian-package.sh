#!/usr/bin/env bash
# Installs a Debian package when its binary is missing and this machine can (root, apt):
#   ensure-debian-package.sh <binary> <package> <why>
# The tests that use Prometheus, promtool, kubectl or Alertmanager call it from the test command,
# so a fresh machine brings what they need. Daemons the package would start are kept from
# starting (policy-rc.d): the tests run their own, on free ports.
set -euo pipefail
bin=$1 package=$2 why=$3
[ -x "$bin" ] && exit 0
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "$bin is missing and cannot be installed here (needs root and apt-get): $why" >&2
  exit 1
fi
echo "installing $package (Debian package): $why" >&2
policy=/usr/sbin/policy-rc.d
made_policy=no
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && made_policy=yes
fi
trap '[ $made_policy = yes ] && rm -f "$policy"' EXIT
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >/dev/null
[ -x "$bin" ] || { echo "$package installed, but $bin is still missing" >&2; exit 1; }
