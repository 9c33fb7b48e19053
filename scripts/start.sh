#!/usr/bin/env bash
# Sets up what is missing, then starts the server, the PWA and a local gpu-runner on one port.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
exec node_modules/.bin/tsx server/main.ts
