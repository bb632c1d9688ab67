#!/usr/bin/env bash
# Create .venv/ with the pinned OpenMMLab 2.0 stack and moganet_mm in editable mode.
#
# Idempotent: a stamp in .venv/ records the hash of this script and the requirement
# files; when it matches, nothing runs. mmcv 2.1.0 has no wheel for this
# Python/torch, so it is built from source once (C++20 patch, ops on) and the wheel is
# cached under ~/.cache/moganet_mm/wheels/, keyed by mmcv, torch (+ CUDA) and Python versions.
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

# FORCE_CUDA=1: build the GPU environment (CUDA mmcv, onnxruntime-gpu) on a machine
# without a GPU, e.g. a build node with nvcc, as mmcv's own FORCE_CUDA does.
want_stamp=$( (cat tools/install.sh tools/mmcv_patch.sh requirements/*.txt setup.py
               echo "FORCE_CUDA=${FORCE_CUDA:-}") |
             sha256sum | cut -d' ' -f1)
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
# On a GPU machine mmcv's ops (RoIAlign, NMS, ...) need their CUDA kernels: build them
# there (FORCE_CUDA, needs nvcc) and cache that wheel under its own key; the CPU wheel
# has none. ONNX Runtime's CUDA provider is in onnxruntime-gpu (below).
gpu="" cuda_tag=""
if [[ ${FORCE_CUDA:-} == 1 ]] || { command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1 &&
        "$PY" -c 'import sys, torch; sys.exit(not (torch.cuda.is_available() and torch.version.cuda))'; }; then
    gpu=1
    if command -v nvcc >/dev/null 2>&1 || [[ -x ${CUDA_HOME:-/usr/local/cuda}/bin/nvcc ]]; then
        cuda_tag=-cu$("$PY" -c 'import torch; print(torch.version.cuda.replace(".", ""))')
    elif [[ ${FORCE_CUDA:-} == 1 ]]; then
        echo "make install: FORCE_CUDA=1 needs nvcc (the CUDA toolkit) on PATH or in" \
             "\$CUDA_HOME/bin; found none" >&2
        exit 1
    else
        echo "[install] WARNING: this machine has a GPU but no nvcc (CUDA toolkit): mmcv's ops" \
             "are built for the CPU only; install the toolkit (or set CUDA_HOME) and delete" \
             "$STAMP to build them with CUDA" >&2
    fi
fi
wheel_dir=$CACHE_DIR/wheels/mmcv-$MMCV_VERSION-torch$TORCH_VERSION$cuda_tag-$pyver
if ! ls "$wheel_dir"/mmcv-$MMCV_VERSION-*.whl >/dev/null 2>&1; then
    took="5-6 minutes on 2 CPU cores"
    [[ -z $cuda_tag ]] || took="about 27 minutes on 2 CPU cores for one GPU arch, less with more cores"
    step "build mmcv $MMCV_VERSION with ops${cuda_tag:+ and CUDA ($cuda_tag)} (once; $took)"
    build=$(mktemp -d)
    "${PIP[@]}" download -q --no-deps --no-build-isolation --no-binary :all: "mmcv==$MMCV_VERSION" -d "$build"
    tar -xzf "$build"/mmcv-$MMCV_VERSION.tar.gz -C "$build"
    src=$build/mmcv-$MMCV_VERSION
    # this project's build patch (C++20, -g0, the dispatch stubs as two translation units)
    MMCV_VERSION=$MMCV_VERSION bash tools/mmcv_patch.sh "$src"
    mkdir -p "$build/out"
    # The build is verbose; keep its log, show its tail on failure.
    log=$build/build.log
    # mmcv's setup.py builds CUDA ops whenever torch sees a GPU: hide it for a CPU build.
    build_env=(CUDA_VISIBLE_DEVICES= FORCE_CUDA=0)
    if [[ -n $cuda_tag ]]; then
        # torch's CUDA headers include cusparse.h, cublas_v2.h, ...: a toolkit with nvcc
        # alone lacks them, torch's nvidia-* wheels hold them. CPATH comes after the
        # toolkit's own -I, so they only fill in what the toolkit does not have.
        nv_inc=$("$PY" -c 'import glob, os, sysconfig; print(":".join(sorted(glob.glob(
            os.path.join(sysconfig.get_paths()["purelib"], "nvidia", "*", "include")))))')
        # Without CUDA_HOME torch takes the folder above the nvcc on PATH: for a wrapper
        # or link (/usr/local/bin/nvcc running /usr/local/cuda-13.0/bin/nvcc) that is
        # /usr/local, and the C++ files miss the toolkit's headers. nvcc names its own.
        nvcc=$(command -v nvcc || echo "${CUDA_HOME:-/usr/local/cuda}/bin/nvcc")
        nvcc_bin=$("$nvcc" --dryrun -c -x cu /dev/null -o /dev/null 2>&1 | sed -n 's/^#\$ _HERE_=//p')
        build_env=(FORCE_CUDA=1 "CPATH=${CPATH:+$CPATH:}$nv_inc" "CUDA_HOME=${CUDA_HOME:-${nvcc_bin%/bin}}")
    fi
    if ! (cd "$src" && env "${build_env[@]}" MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} \
            "$PY" -m pip wheel --no-build-isolation --no-deps . -w "$build/out") >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        false
    fi
    mkdir -p "$wheel_dir"
    cp "$build"/out/mmcv-*.whl "$wheel_dir"/
    rm -rf "$build"
fi

step "install mmcv $MMCV_VERSION from $wheel_dir"
# Forced: the CPU and the CUDA wheel have the same version, and pip keeps an installed
# version (a CPU mmcv would stay after the toolkit was installed and the stamp deleted).
"${PIP[@]}" install -q --no-deps --force-reinstall -c requirements/constraints.txt "$wheel_dir"/mmcv-$MMCV_VERSION-*.whl

# onnxruntime and onnxruntime-gpu install the same files: remove the one this machine
# does not want (the pinned requirements install onnxruntime; an environment built with
# FORCE_CUDA=1 before has onnxruntime-gpu), then force the other in (a stale install may
# have left its metadata over the first one's files). onnxruntime-gpu's CUDA 13 / cuDNN 9
# libraries are the nvidia-* wheels torch has.
ort=onnxruntime other=onnxruntime-gpu
[[ -z $gpu ]] || { ort=onnxruntime-gpu other=onnxruntime; }
if "${PIP[@]}" show -q "$other" 2>/dev/null; then
    step "replace $other by $ort"
    "${PIP[@]}" uninstall -q -y "$other"
    "${PIP[@]}" install -q --no-deps --force-reinstall -c requirements/constraints.txt "$ort"
fi

step "install mmpose and openmim without their broken dependency chains"
"${PIP[@]}" install -q --no-deps -c requirements/constraints.txt mmpose openmim

step "install moganet_mm (editable)"
PYTHONWARNINGS=ignore "${PIP[@]}" install -q --no-deps --no-build-isolation -e .

step "link moganet_mm into site-packages for mim"
# setup.py links moganet_mm/.mim/{configs,model-index.yml} to the checkout. mim (search,
# download) looks for them under <site-packages>/moganet_mm/, where an editable install
# leaves nothing (openmim 0.3.9 takes the .dist-info's folder as the package's); a link
# to the checkout's package puts them there. Imports are unchanged: the link and the
# editable finder lead to the same files. A plain `pip install .` needs no link.
purelib=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
ln -sfn "$PWD/moganet_mm" "$purelib/moganet_mm"

step "check the stack imports"
GPU=$gpu "$PY" - <<'PY'
import os
import numpy, torch, mmcv, mmcv.ops, mmengine, mmdet, mmseg, mmpose, mmpretrain, mim, onnxruntime, openvino
import moganet_mm
from mim.commands.search import load_metadata
assert load_metadata('moganet_mm').models, 'mim finds no model index for moganet_mm'
assert numpy.__version__.startswith('1.'), f'numpy {numpy.__version__}: numpy<2 was upgraded'
if os.environ['GPU']:
    assert 'CUDAExecutionProvider' in onnxruntime.get_available_providers(), \
        f'onnxruntime {onnxruntime.__version__} has no CUDA provider on this GPU machine'
print('[install] torch', torch.__version__, '| mmcv', mmcv.__version__, '| mmengine', mmengine.__version__,
      '| mmdet', mmdet.__version__, '| mmseg', mmseg.__version__, '| mmpose', mmpose.__version__,
      '| mmpretrain', mmpretrain.__version__, '| numpy', numpy.__version__)
PY
echo "$want_stamp" > "$STAMP"
echo "[install] done in ${SECONDS}s"
