#!/usr/bin/env bash
# Creates gpu-runner/.venv with Ultralytics. Idempotent: does nothing when the requirements are
# unchanged since the last successful run. uv is used because it installs torch and its CUDA
# libraries from its cache in seconds, where pip takes minutes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/gpu-runner/.venv"
reqs="$root/gpu-runner/requirements-dev.txt"
stamp="$venv/.requirements.sha256"
want=$(cat "$root/gpu-runner/requirements.txt" "$reqs" | sha256sum | cut -d' ' -f1)

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/python" ]; then
  exit 0
fi

echo "setup: installing the gpu-runner's Python environment (Ultralytics, torch) ..."
python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet --user --disable-pip-version-check uv
python3 -m uv venv --quiet --allow-existing --python python3 "$venv"
python3 -m uv pip install --quiet --python "$venv/bin/python" -r "$reqs"
python3 -m uv pip install --quiet --python "$venv/bin/python" --no-deps -e "$root/gpu-runner"
echo "$want" >"$stamp"
