#!/usr/bin/env bash
# The mmcv step of tools/gpu/run_all.sh: build mmcv's compiled ops in place, in the
# patched source that install_kit.sh unpacked: `tools/gpu/build_mmcv.sh SRC PY JOBS LOG`.
# With a GPU: CUDA ops for this machine's GPU alone (TORCH_CUDA_ARCH_LIST from the
# card), with nvcc; without one: the CPU ops. JOBS parallel compiles (all cores).
# GPU_KIT_MMCV_CACHE (the CPU rehearsal sets it; a GPU machine starts bare): a folder
# keyed by mmcv, torch, Python and the target where the built extension is kept and
# reused. GPU_KIT_CUDA_ARCH=9.0 (say) builds the CUDA ops for that arch where no GPU is
# (a check of the CUDA build on a machine with nvcc, as make install's FORCE_CUDA).
set -euo pipefail
SRC=$1 PY=$2 JOBS=$3 LOG=$4

read -r torch_v cuda arch pyver < <("$PY" -c '
import sys, torch
cuda = torch.cuda.is_available()
arch = "%d.%d" % torch.cuda.get_device_capability() if cuda else "-"
print(torch.__version__.split("+")[0], int(cuda), arch, "cp%d%d" % sys.version_info[:2])')
if [[ -n ${GPU_KIT_CUDA_ARCH:-} ]]; then
    cuda=1 arch=$GPU_KIT_CUDA_ARCH
fi
if [[ $cuda == 1 ]]; then
    target=cu$("$PY" -c 'import torch; print(torch.version.cuda.replace(".", ""))')-sm${arch/./}
    # torch's CUDA headers include cusparse.h, cublas_v2.h, ...: where the toolkit lacks
    # them, torch's nvidia-* wheels have them (after the toolkit's own -I, as make install)
    nv_inc=$("$PY" -c 'import glob, os, sysconfig; print(":".join(sorted(glob.glob(
        os.path.join(sysconfig.get_paths()["purelib"], "nvidia", "*", "include")))))')
    nvcc=$(command -v nvcc || echo "${CUDA_HOME:-/usr/local/cuda}/bin/nvcc")
    nvcc_bin=$("$nvcc" --dryrun -c -x cu /dev/null -o /dev/null 2>&1 | sed -n 's/^#\$ _HERE_=//p')
    build_env=(FORCE_CUDA=1 "TORCH_CUDA_ARCH_LIST=$arch" "CPATH=${CPATH:+$CPATH:}$nv_inc"
               "CUDA_HOME=${CUDA_HOME:-${nvcc_bin%/bin}}")
    echo "[mmcv] CUDA ops for sm_${arch/./} (nvcc $("$nvcc" --version | sed -n 's/.*release \([^,]*\).*/\1/p')," \
         "CUDA_HOME ${build_env[3]#CUDA_HOME=}), $JOBS parallel jobs"
else
    target=cpu
    # mmcv's setup.py builds CUDA ops whenever torch sees a GPU: none here, and none asked
    build_env=(CUDA_VISIBLE_DEVICES= FORCE_CUDA=0)
    echo "[mmcv] no CUDA device: CPU ops, $JOBS parallel jobs"
fi
# torch compiles JOBS files at a time only through ninja: find it (the pip package's)
if ! command -v ninja >/dev/null 2>&1; then
    ninja_dir=$("$PY" -c 'import ninja; print(ninja.BIN_DIR)' 2>/dev/null || true)
    [[ -z $ninja_dir ]] || export PATH=$ninja_dir:$PATH
fi
command -v ninja >/dev/null 2>&1 ||
    echo "[mmcv] WARNING: no ninja: torch compiles one file at a time (JOBS unused)" >&2
version=$(sed -n "s/^__version__ = '\(.*\)'/\1/p" "$SRC/mmcv/version.py")
key=mmcv-$version-torch$torch_v-$target-$pyver
cache=${GPU_KIT_MMCV_CACHE:+$GPU_KIT_MMCV_CACHE/$key}
if [[ -n $cache ]] && ls "$cache"/_ext*.so >/dev/null 2>&1; then
    cp "$cache"/_ext*.so "$SRC/mmcv/"
    echo "[mmcv] reused the extension built before ($cache; GPU_KIT_MMCV_CACHE)"
    exit 0
fi
t0=$SECONDS
if ! (cd "$SRC" && env "${build_env[@]}" MMCV_WITH_OPS=1 MAX_JOBS="$JOBS" \
        "$PY" setup.py build_ext --inplace) >"$LOG" 2>&1; then
    echo "[mmcv] build FAILED after $((SECONDS - t0)) s; the end of its log:" >&2
    tail -n 40 "$LOG" >&2
    exit 1
fi
so=$(ls "$SRC"/mmcv/_ext*.so)
echo "[mmcv] built $key in $((SECONDS - t0)) s: ${so##*/}," \
     "$(($(stat -c %s "$so") / 1048576)) MiB, $(grep -c -E '^\[[0-9]+/[0-9]+\]' "$LOG") compile/link steps"
if [[ -n $cache ]]; then
    mkdir -p "$cache"
    cp "$so" "$cache/"
fi
