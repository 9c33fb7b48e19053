#!/usr/bin/env bash
# Installs what the tests need, then runs every tier: the check gate, web and server unit tests
# (vitest), gpu-runner tests (pytest, real Ultralytics) and browser end-to-end tests (Chromium).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh --test || exit 1

passed=0
failed=0
suite() {
  local name=$1
  shift
  echo
  echo "=== $name ==="
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "=== $name: ok ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1))
    echo "=== $name: FAILED ($((SECONDS - start)) s)"
  fi
}

suite check bash scripts/check.sh
suite unit npx vitest run
suite gpu-runner gpu-runner/.venv/bin/python -m pytest gpu-runner -q -p no:cacheprovider
suite e2e npx vitest run --config test/e2e/vitest.config.ts

echo
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
