#!/usr/bin/env bash
# Create .venv/ with the pinned OpenMMLab 2.0 stack and moganet_mm in editable mode.
#
# Idempotent: a stamp in .venv/ records the hash of this script and the requirement
# files; when it matches, nothing runs. mmcv 2.1.0 has no wheel for this
# Python/torch, so it is built from source once (C++20 patch, ops on) and the wheel is
# cached under ~/.cache/moganet_mm/wheels/, keyed by mmcv, torch and Python versions.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv
MMCV_VERSION=2.1.0
TORCH_VERSION=2.14.1
CACHE_DIR=${MOGANET_MM_CACHE:-$HOME/.cache/moganet_mm}
STAMP=$VENV/.moganet_mm_install_stamp

STEP="start"
trap 'echo "make install: FAILED at step: $STEP" >&2' ERR
step() { STEP="$1"; echo "[install] +${SECONDS}s $1"; }

want_stamp=$(cat tools/install.sh requirements/*.txt setup.py | sha256sum | cut -d' ' -f1)
if [[ -f $STAMP && "$(cat "$STAMP")" == "$want_stamp" && -x $VENV/bin/python ]]; then
    echo "[install] .venv is up to date (delete $STAMP to force a reinstall)"
    exit 0
fi

step "create virtual environment $VENV"
[[ -x $VENV/bin/python ]] || "$PYTHON" -m venv "$VENV"
PY=$PWD/$VENV/bin/python
PIP=("$PY" -m pip --disable-pip-version-check)
"${PIP[@]}" install -q --upgrade "pip>=24"

step "install torch, mmengine, mmdet, mmseg, mmpretrain and runtime deps (pinned)"
"${PIP[@]}" install -q -c requirements/constraints.txt -r requirements/runtime.txt

pyver=$("$PY" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
wheel_dir=$CACHE_DIR/wheels/mmcv-$MMCV_VERSION-torch$TORCH_VERSION-$pyver
if ! ls "$wheel_dir"/mmcv-$MMCV_VERSION-*.whl >/dev/null 2>&1; then
    step "build mmcv $MMCV_VERSION with ops (once; 7-30 minutes on 2 cores, by CPU)"
    build=$(mktemp -d)
    "${PIP[@]}" download -q --no-deps --no-build-isolation --no-binary :all: "mmcv==$MMCV_VERSION" -d "$build"
    tar -xzf "$build"/mmcv-$MMCV_VERSION.tar.gz -C "$build"
    # torch >= 2.14 headers need C++20; the sdist hard-codes c++14/c++17.
    sed -i -e 's/-std=c++14/-std=c++20/g' -e 's/-std=c++17/-std=c++20/g' \
        "$build"/mmcv-$MMCV_VERSION/setup.py
    mkdir -p "$build/out"
    # The build is verbose; keep its log, show its tail on failure.
    log=$build/build.log
    if ! (cd "$build/mmcv-$MMCV_VERSION" && MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-2} \
            "$PY" -m pip wheel --no-build-isolation --no-deps . -w "$build/out") >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        false
    fi
    mkdir -p "$wheel_dir"
    cp "$build"/out/mmcv-*.whl "$wheel_dir"/
    rm -rf "$build"
fi

step "install mmcv $MMCV_VERSION from $wheel_dir"
"${PIP[@]}" install -q --no-deps -c requirements/constraints.txt "$wheel_dir"/mmcv-$MMCV_VERSION-*.whl

step "install mmpose and openmim without their broken dependency chains"
"${PIP[@]}" install -q --no-deps -c requirements/constraints.txt mmpose openmim

step "install moganet_mm (editable)"
PYTHONWARNINGS=ignore "${PIP[@]}" install -q --no-deps --no-build-isolation -e .

step "link moganet_mm into site-packages for mim"
# mim (search, download) reads <site-packages>/moganet_mm/.mim/model-index.yml, where an
# editable install leaves nothing; a link to the checkout's package puts the model index
# there. Imports are unchanged: the link and the editable finder lead to the same files.
purelib=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
ln -sfn "$PWD/moganet_mm" "$purelib/moganet_mm"

step "check the stack imports"
"$PY" - <<'PY'
import numpy, torch, mmcv, mmcv.ops, mmengine, mmdet, mmseg, mmpose, mmpretrain, mim
import moganet_mm
from mim.commands.search import load_metadata
assert load_metadata('moganet_mm').models, 'mim finds no model index for moganet_mm'
assert numpy.__version__.startswith('1.'), f'numpy {numpy.__version__}: numpy<2 was upgraded'
print('[install] torch', torch.__version__, '| mmcv', mmcv.__version__, '| mmengine', mmengine.__version__,
      '| mmdet', mmdet.__version__, '| mmseg', mmseg.__version__, '| mmpose', mmpose.__version__,
      '| mmpretrain', mmpretrain.__version__, '| numpy', numpy.__version__)
PY
echo "$want_stamp" > "$STAMP"
echo "[install] done in ${SECONDS}s"
