#!/usr/bin/env bash
# Installs Debian's prometheus-alertmanager when it is missing and this machine can (root, apt).
# The demo pages into it and the escalation tests check what it received; without it the demo
# falls back to a local webhook sink.
set -euo pipefail
bin=${ALERTMANAGER_BIN:-/usr/bin/prometheus-alertmanager}
[ -x "$bin" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing prometheus-alertmanager (Debian package)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus-alertmanager >/dev/null
else
  echo "prometheus-alertmanager is not installed and cannot be installed here (needs root and apt-get)" >&2
  exit 1
fi
