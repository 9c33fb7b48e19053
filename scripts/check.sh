#!/usr/bin/env bash
# The one gate: formatting, lint, types, for every part.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
py=gpu-runner/.venv/bin
step() { echo "check: $*"; "$@"; }
step npx prettier --check --log-level warn .
step npx eslint --max-warnings 0 .
step npx svelte-kit sync
step npx svelte-check --tsconfig ./tsconfig.json --fail-on-warnings --output machine
step npx tsc --noEmit -p .
step npx tsc --noEmit -p web/lib/inference/worker
step npx tsc --noEmit -p web/service-worker
step $py/ruff check gpu-runner test bench
step $py/ruff format --check gpu-runner test bench
(cd gpu-runner && step .venv/bin/mypy loupe_runner tests ../test/fixtures)
