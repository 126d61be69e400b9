#!/usr/bin/env bash
# Install the pinned OpenMMLab stack and this project into the active Python:
# a venv, a conda env or the system Python (PYTHON=... picks another one).
#
# mmcv 2.1.0 has no wheel for torch 2.13, so it is built from its sdist with its
# compiled ops, against this environment's torch (about 10-16 minutes on 2
# cores). tools/mmcv_wheel.py accepts only a wheel that holds mmcv/_ext*.so for
# this Python, and caches it under
#   ${M2NIST_MM_CACHE:-~/.cache/m2nist_mm}/wheels/<python>-torch<version>/
# so the next environment with the same Python and torch installs it in
# seconds. pip's own wheel cache is neither read nor written for mmcv.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-$(command -v python || command -v python3)}
ROOT=${M2NIST_MM_CACHE:-$HOME/.cache/m2nist_mm}/wheels
MMCV=mmcv==2.1.0

say() { echo "[install] $*"; }
fail() { echo "[install] error: $*" >&2; exit 1; }
# pip_i WHAT ARGS...: pip install, naming the step when it fails.
pip_i() {
  local what=$1; shift
  "$PY" -m pip install --disable-pip-version-check -q "$@" ||
    fail "could not install $what (see pip's message above; is the package registry reachable?)"
}
mmcv_ops_ok() { "$PY" -c 'import mmcv, mmcv.ops; assert mmcv.__version__ == "2.1.0"' >/dev/null 2>&1; }

say "python: $("$PY" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
say "torch 2.13.0 (CPU)"
pip_i "torch 2.13.0" torch==2.13.0 "numpy<2" "setuptools>=77.0.3,<81"

stop_build() {
  if [ -n "${pid:-}" ]; then
    kill "$pid" 2>/dev/null || true
    pkill -f -- "$tmp" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}

build_mmcv() {  # build_mmcv CACHE_DIR: build, verify and cache the wheel
  local start status
  tmp=$(mktemp -d); pid=""
  # an interrupted or failed build leaves neither a cache entry nor an
  # installed mmcv: stop the build (its compilers work under $tmp), remove $tmp
  trap 'stop_build' EXIT
  trap 'exit 130' INT TERM
  # mmcv's setup.py needs setuptools<70; torch needs >=77. The old one is put
  # first on PYTHONPATH for the build only, so the build still sees this
  # environment's torch (a separate build venv would not).
  "$PY" -m pip install --disable-pip-version-check -q --no-cache-dir --no-deps \
    --target "$tmp/buildtools" "setuptools<70" wheel packaging ninja \
    >"$tmp/tools.log" 2>&1 || {
    cat "$tmp/tools.log" >&2
    fail "could not install the build tools (setuptools<70, wheel, packaging, ninja); is the package registry reachable?"; }
  say "building $MMCV with ops from its sdist (usually 10-16 min on 2 cores); log: $tmp/build.log"
  start=$(date +%s)
  (cd "$tmp" && TMPDIR="$tmp" PYTHONPATH="$tmp/buildtools" PATH="$tmp/buildtools/bin:$PATH" \
    MMCV_WITH_OPS=1 FORCE_CUDA=0 MAX_JOBS=${MAX_JOBS:-$(nproc)} \
    "$PY" -m pip wheel --disable-pip-version-check -v --no-cache-dir \
    --no-build-isolation --no-deps --no-binary mmcv -w "$tmp/out" "$MMCV" \
    >"$tmp/build.log" 2>&1) &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 30 & wait $! || true  # a signal interrupts the wait at once
    if kill -0 "$pid" 2>/dev/null; then
      say "  still building: $(( ($(date +%s) - start) / 60 )) min, $(grep -o '^ *\[[0-9]*/[0-9]*\]' "$tmp/build.log" | tail -n 1 | tr -d ' ') compiled"
    fi
  done
  status=0; wait "$pid" || status=$?
  if [ "$status" -ne 0 ]; then
    mkdir -p "$ROOT" && cp "$tmp/build.log" "$ROOT/mmcv-build-failed.log"
    grep -i -E 'error|no module named' "$tmp/build.log" | head -n 15 >&2 || true
    fail "building $MMCV failed (exit $status; its errors are above, the whole log is in $ROOT/mmcv-build-failed.log). Is the package registry reachable, and are gcc and the Python headers installed?"
  fi
  say "built in $(( ($(date +%s) - start) / 60 )) min"
  "$PY" tools/mmcv_wheel.py store "$tmp"/out/mmcv-*.whl "$1" >/dev/null ||
    fail "the mmcv build gave an unusable wheel (above); nothing was cached"
  rm -rf "$tmp"; trap - EXIT INT TERM; pid=""
}

if mmcv_ops_ok; then
  say "mmcv 2.1.0 with ops already installed"
else
  dir=$("$PY" tools/mmcv_wheel.py cache-dir "$ROOT")
  wheel=$("$PY" tools/mmcv_wheel.py find "$dir" || true)
  if [ -z "$wheel" ]; then
    build_mmcv "$dir"
    wheel=$("$PY" tools/mmcv_wheel.py find "$dir") || fail "no usable mmcv wheel in $dir"
  fi
  say "mmcv from $wheel"
  pip_i "$wheel" --force-reinstall --no-deps --no-cache-dir "$wheel"
fi

say "OpenMMLab stack, mim and the project"
pip_i "requirements/{runtime,tests,mim}.txt" -r requirements/runtime.txt \
  -r requirements/tests.txt -r requirements/mim.txt
# a regular (not editable) install: it carries configs/ and tools/ in
# m2nist_mm/.mim, where mim looks for them
pip_i "this project (pip install .)" --no-build-isolation --no-deps \
  --force-reinstall .
"$PY" -m pip check >/dev/null ||
  fail "pip check finds conflicts in this environment: $("$PY" -m pip check | tr '\n' ' ')"

# check the installed packages, not the checkout
(cd / && "$PY" - <<'PY') || exit 1
import importlib
import sys
failed = []
for name in ('torch', 'mmcv.ops', 'mmengine', 'mmseg', 'mmdet', 'mmdeploy',
             'onnxruntime', 'onnxruntime.quantization', 'openvino',
             'mmdeploy_runtime', 'mim', 'm2nist_core',
             'm2nist_mm.segmentation', 'm2nist_mm.detection'):
    try:
        importlib.import_module(name)
    except Exception as e:  # report every failure, not only the first
        failed.append(f'{name}: {type(e).__name__}: {e}')
if failed:
    print('[install] error: these imports failed:\n  ' + '\n  '.join(failed) +
          '\n[install] to recover: remove the cached mmcv wheel '
          '(~/.cache/m2nist_mm/wheels, or $M2NIST_MM_CACHE/wheels) and '
          'run "pip uninstall -y mmcv", then run tools/install.sh again',
          file=sys.stderr)
    sys.exit(1)
import os.path as osp
import mmcv, mmdeploy, mmdet, mmseg, torch
import m2nist_mm
mim_tools = osp.join(osp.dirname(m2nist_mm.__file__), '.mim', 'tools')
if not osp.isfile(osp.join(mim_tools, 'train.py')):
    sys.exit(f'[install] error: {mim_tools} is missing: mim will not find '
             'the tools; run tools/install.sh again')
print(f'[install] ok: torch {torch.__version__}, mmcv {mmcv.__version__} '
      f'(with ops), mmseg {mmseg.__version__}, mmdet {mmdet.__version__}, '
      f'mmdeploy {mmdeploy.__version__}')
PY
