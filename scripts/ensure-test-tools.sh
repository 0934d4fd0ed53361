#!/usr/bin/env bash
# Everything the test suite needs from Debian, installed when missing: Alertmanager, Prometheus
# (and promtool), kubectl, chromium. One failing install is reported; the tests that need it then fail
# with the reason, the others still run.
dir=$(dirname "$0")
status=0
for tool in alertmanager prometheus kubectl chromium; do
  bash "$dir/ensure-$tool.sh" || status=1
done
exit $status
