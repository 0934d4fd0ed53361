#!/usr/bin/env bash
# Installs Debian's prometheus-alertmanager when it is missing and this machine can (root, apt).
# The demo pages into it and the escalation and webhook tests check what it received; without it
# the demo falls back to a local webhook sink.
exec bash "$(dirname "$0")/ensure-debian-package.sh" "${ALERTMANAGER_BIN:-/usr/bin/prometheus-alertmanager}" \
  prometheus-alertmanager 'the demo pages into it; the escalation and webhook tests use it'
