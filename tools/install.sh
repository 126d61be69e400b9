#!/usr/bin/env bash
# Install the pinned OpenMMLab stack and this project into the active Python.
#
# mmcv 2.1.0 has no wheel for torch 2.13, so it is built from its sdist with ops
# (about 16 minutes on 2 cores) and the wheel is cached under
# ${M2NIST_MM_CACHE:-~/.cache/m2nist_mm}/wheels, so only a fresh machine pays for it.
# Re-running is cheap: pip skips what is already installed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
CACHE=${M2NIST_MM_CACHE:-$HOME/.cache/m2nist_mm}/wheels
MMCV=mmcv==2.1.0
mkdir -p "$CACHE"
pip_i() { "$PY" -m pip install --disable-pip-version-check -q "$@"; }

echo "[install] torch 2.13.0 (CPU)"
pip_i torch==2.13.0 "numpy<2" "setuptools>=77.0.3,<81"

wheel=$(ls "$CACHE"/mmcv-2.1.0-*.whl 2>/dev/null | head -n 1 || true)
if [ -z "$wheel" ]; then
  echo "[install] building $MMCV with ops from its sdist (once per machine, ~16 min)"
  # torch needs setuptools>=77 while mmcv's setup.py needs pkg_resources (setuptools<70):
  # build in a throw-away venv that sees torch but has its own old setuptools.
  venv=$(mktemp -d)/build
  "$PY" -m venv --system-site-packages "$venv"
  "$venv/bin/python" -m pip install --disable-pip-version-check -q "setuptools<70" wheel ninja
  (cd "$(dirname "$venv")" && MMCV_WITH_OPS=1 FORCE_CUDA=0 MAX_JOBS=${MAX_JOBS:-2} \
    "$venv/bin/python" -m pip wheel --disable-pip-version-check -q --no-build-isolation \
    --no-deps --no-binary mmcv -w "$CACHE" "$MMCV")
  rm -rf "$(dirname "$venv")"
  wheel=$(ls "$CACHE"/mmcv-2.1.0-*.whl | head -n 1)
fi
echo "[install] mmcv from $wheel"
pip_i "$wheel"

echo "[install] OpenMMLab stack and the project"
pip_i -r requirements/runtime.txt -r requirements/tests.txt
pip_i --no-build-isolation -e .
"$PY" - <<'PY'
import mmcv.ops  # noqa: F401  (the full build is required by mmseg)
import mmdeploy, mmdet, mmseg, torch
print(f'[install] ok: torch {torch.__version__}, mmcv {mmcv.__version__}, '
      f'mmseg {mmseg.__version__}, mmdet {mmdet.__version__}, mmdeploy {mmdeploy.__version__}')
PY
