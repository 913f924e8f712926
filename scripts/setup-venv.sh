#!/usr/bin/env bash
# Create .venv and install the project with its dev extra. Idempotent; re-run when pyproject changes.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv" >&2
  python3 -m venv .venv
fi
echo "setup: installing cusdep-node[dev] into .venv (first run takes a few minutes)" >&2
log=.venv/pip-install.log
if ! { .venv/bin/python -m pip install --disable-pip-version-check --upgrade pip \
       && .venv/bin/python -m pip install --disable-pip-version-check -e '.[dev]'; } >"$log" 2>&1; then
  grep -v '^WARNING: Location' "$log" | tail -30 >&2
  echo "setup: pip install failed (full log: $log)" >&2
  exit 1
fi
.venv/bin/python -c "import node, web3, grpc, rapidocr_onnxruntime"
# the folded OCR models (made locally from the wheel's, checked, cached): verification._onnx_fold
.venv/bin/python -c "from verification.ocr import prepare_models; prepare_models()"
touch .venv/.installed
