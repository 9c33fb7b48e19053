#!/usr/bin/env bash
# Installs what the product needs, idempotently: npm packages, the gpu-runner's Python venv,
# the built PWA, and (with --test) Chromium for the browser tests. A second run only checks stamps.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
with_browser=false
[ "${1:-}" = "--test" ] && with_browser=true

hash_of() { cat "$@" 2>/dev/null | sha256sum | cut -d' ' -f1; }

# npm packages. better-sqlite3 compiles from source when its prebuilt binary cannot be fetched;
# point node-gyp at the headers that ship with this Node so it needs no download either.
lock_hash=$(hash_of package-lock.json)
if [ "$(cat node_modules/.loupe-lock.sha256 2>/dev/null)" != "$lock_hash" ]; then
  echo "setup: installing npm packages ..."
  node_prefix=$(dirname "$(dirname "$(command -v node)")")
  [ -d "$node_prefix/include/node" ] && export npm_config_nodedir="$node_prefix"
  # onnxruntime-node's install script fetches from outside the npm registry; its CPU binaries
  # are already in the package.
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" >node_modules/.loupe-lock.sha256
fi

bash scripts/setup-python.sh

# The PWA is rebuilt only when its sources changed.
web_hash=$(find web static server/contract -type f -print0 | sort -z | xargs -0 sha256sum | cat - svelte.config.js vite.config.ts package-lock.json | sha256sum | cut -d' ' -f1)
if [ "$(cat build/.loupe-sources.sha256 2>/dev/null)" != "$web_hash" ]; then
  echo "setup: building the web app ..."
  npx vite build --logLevel error
  echo "$web_hash" >build/.loupe-sources.sha256
fi

# Browser tests need Debian's Chromium, and certutil (libnss3-tools) to make it trust the local CA
# the HTTPS tests generate, as a phone would after its set-up steps.
if $with_browser && { ! command -v chromium >/dev/null 2>&1 || ! command -v certutil >/dev/null 2>&1; }; then
  echo "setup: installing Debian's Chromium and certutil for the browser tests ..."
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium libnss3-tools >/dev/null
fi
