#!/usr/bin/env bash
# kubectl, for `kubectl kustomize` (offline): the deploy/ render tests. Debian ships it as
# kubernetes-client; any kubectl already on PATH will do.
command -v kubectl >/dev/null 2>&1 && exit 0
exec bash "$(dirname "$0")/ensure-debian-package.sh" /usr/bin/kubectl kubernetes-client \
  'the deploy/ render tests need kubectl kustomize'
