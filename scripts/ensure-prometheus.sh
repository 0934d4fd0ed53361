#!/usr/bin/env bash
# Debian's prometheus (the server and promtool): the remote_write test runs a real server, and
# the alert-rule and dashboard tests check every expression with promtool.
exec bash "$(dirname "$0")/ensure-debian-package.sh" "${PROMETHEUS_BIN:-/usr/bin/prometheus}" prometheus \
  'the remote_write test and the promtool checks of deploy/monitoring need it'
