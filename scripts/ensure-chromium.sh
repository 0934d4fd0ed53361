#!/usr/bin/env bash
# Debian's chromium: the console's end-to-end test drives it headless with playwright-core.
exec bash "$(dirname "$0")/ensure-debian-package.sh" "${CHROMIUM_BIN:-/usr/bin/chromium}" chromium \
  'the console end-to-end test drives a headless chromium'
