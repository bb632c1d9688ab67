#!/usr/bin/env bash
# make gpu-rehearsal: run the GPU command (tools/gpu/run_all.sh) here, on the CPU, in an
# environment built like the GPU machine's image, so that the kit and the command are
# known to work before a GPU's minutes are spent on them (docs/gpu.md).
#   tools/gpu/rehearsal.sh            the venv (once), the kit, then run_all.sh
#   tools/gpu/rehearsal.sh --tests    also the suite's toy trainings in that venv
#                                     (test_{det,seg,pose,cls}_demo.py; many minutes)
# The venv (.gpu_rehearsal/venv, git-ignored, rebuilt when this script or
# tools/gpu/image.txt changes): CPython 3.12 as on the image; tools/gpu/image.txt's
# packages from the package index: torch 2.11.0 and torchvision 0.26.0 (PyPI's Linux
# wheels, the CUDA 13 build the image has; the CPU index is out of reach here), numpy 2,
# the current opencv-python-headless, transformers 5 (as the image), ...; then
# run_all.sh installs the kit from .gpu_kit/ with --no-index, builds mmcv's CPU ops
# (kept in .gpu_rehearsal/mmcv_cache for the next rehearsal) and runs every step: the
# GPU-only ones report "skipped: no CUDA" and run their --smoke on the CPU.
# torch's CUDA libraries (the nvidia-* wheels, about 3 GB) are not downloaded: torch
# only loads them, and .venv's (make install's torch, CUDA 13 as well) are linked in.
# Everything runs under `nice -n 19`.
set -euo pipefail
cd "$(dirname "$0")/../.."
R=$(realpath -m "${GPU_REHEARSAL_DIR:-.gpu_rehearsal}")
VENV=$R/venv
TESTS=""
[[ ${1:-} == --tests ]] && TESTS=1

find_python312() {
    local c
    for c in "${REHEARSAL_PYTHON:-}" python3.12 "$HOME"/.pyenv/versions/3.12*/bin/python3.12 \
             /usr/bin/python3.12; do
        [[ -n $c ]] && command -v "$c" >/dev/null 2>&1 &&
            "$c" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null &&
            { command -v "$c"; return 0; }
    done
    echo "gpu-rehearsal: no CPython 3.12 here (the GPU image's; the kit's wheels are cp312):" \
         "install one or set REHEARSAL_PYTHON" >&2
    return 1
}

stamp=$(cat tools/gpu/rehearsal.sh tools/gpu/image.txt | sha256sum | cut -d' ' -f1)
if [[ ! -f $VENV/.stamp || "$(cat "$VENV/.stamp")" != "$stamp" ]]; then
    py312=$(find_python312)
    echo "[rehearsal] venv $VENV with $py312 and tools/gpu/image.txt"
    rm -rf "$VENV"
    "$py312" -m venv "$VENV"
    PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)
    nice -n 19 "${PIP[@]}" install -q --upgrade "pip>=24"
    reqs=$(grep -v '^[[:space:]]*#' tools/gpu/image.txt | grep -v '^[[:space:]]*$')
    # torch, torchvision and timm without dependencies: pip would otherwise fetch torch's
    # CUDA libraries (nvidia-*, triton) into the venv, 3 GB
    nodeps='^(torch|torchvision|timm)(==|$)'
    nice -n 19 "${PIP[@]}" install -q $(grep -v -E "$nodeps" <<<"$reqs")
    nice -n 19 "${PIP[@]}" install -q --no-deps $(grep -E "$nodeps" <<<"$reqs")
    if "${PIP[@]}" list 2>/dev/null | grep -q -E '^nvidia-'; then
        echo "gpu-rehearsal: pip put nvidia-* wheels into $VENV; a package of image.txt" \
             "depends on torch: install it with --no-deps too" >&2
        exit 1
    fi
    # torch loads its CUDA libraries at import (it never calls them here): .venv's (make
    # install's torch is CUDA 13 too, the same library majors) are found on sys.path
    # through a .pth file and a link OUTSIDE the venv, so that no pip call in the venv
    # can write into .venv's files
    purelib=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    nv=$(ls -d "$PWD"/.venv/lib/python3*/site-packages/nvidia 2>/dev/null | head -1 || true)
    if [[ -n $nv ]]; then
        mkdir -p "$R/cuda_libs"
        ln -sfn "$nv" "$R/cuda_libs/nvidia"
        echo "$R/cuda_libs" >"$purelib/_rehearsal_cuda_libs.pth"
    else
        echo "[rehearsal] no .venv/.../nvidia: downloading torch's CUDA libraries (3 GB)" >&2
        nice -n 19 "${PIP[@]}" install -q "$(grep -E '^torch==' <<<"$reqs")"
    fi
    "$VENV/bin/python" -c 'import torch, numpy, cv2; print("[rehearsal] torch", torch.__version__,
        "| numpy", numpy.__version__, "| opencv", cv2.__version__)'
    echo "$stamp" >"$VENV/.stamp"
fi

bash tools/gpu/make_kit.sh

echo "[rehearsal] tools/gpu/run_all.sh on the CPU (results in $R/out)"
t0=$SECONDS
rc=0
OUT=$R/out GPU_KIT_PYTHON=$VENV/bin/python GPU_KIT_WORK=$R/work \
    GPU_KIT_SMOKE=1 GPU_KIT_BUDGET_SCALE=${GPU_KIT_BUDGET_SCALE:-8} \
    GPU_KIT_MMCV_CACHE=$R/mmcv_cache nice -n 19 bash tools/gpu/run_all.sh || rc=$?
echo "[rehearsal] run_all.sh exited $rc after $((SECONDS - t0)) s"
if [[ -n $TESTS && $rc == 0 ]]; then
    echo "[rehearsal] the toy trainings of the suite in the rehearsal venv"
    # the tests' subprocesses set PYTHONPATH themselves, and the suite's mim tests run the
    # mim beside the interpreter: for the tests the kit run_all.sh installed and this
    # checkout (as make install's editable install) go first on the venv's own path (a
    # .pth file, removed after), and the kit's mim beside the python
    purelib=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    trap 'rm -f "$purelib/_rehearsal_kit.pth" "$VENV/bin/mim"' EXIT
    echo "import sys; sys.path[:0] = ['$R/work/site', '$R/work/mmcv_path', '$PWD']" \
        >"$purelib/_rehearsal_kit.pth"
    ln -sfn "$R/work/site/bin/mim" "$VENV/bin/mim"
    # the GPU image has no openvino (nor the kit: its cp312 wheel alone is 56 MiB of the 64),
    # so the cls model's ONNX Runtime + OpenVINO scoring is left to make test
    nice -n 19 "$VENV/bin/python" -m pytest -p no:cacheprovider -q \
        tests/test_tools/test_det_demo.py tests/test_tools/test_seg_demo.py \
        tests/test_tools/test_pose_demo.py tests/test_tools/test_cls_demo.py \
        --deselect tests/test_tools/test_cls_demo.py::test_exported_model_scores_as_trained_in_f32_and_int8 \
        || rc=$?
fi
exit $rc
