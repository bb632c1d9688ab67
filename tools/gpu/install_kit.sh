#!/usr/bin/env bash
# The first step of tools/gpu/run_all.sh: install the kit (.gpu_kit/, make gpu-kit) for
# PY without a network: `tools/gpu/install_kit.sh KIT SITE WORK PY`.
# - the kit's sdists (kit.txt's `sdist` lines: no cp312 wheel on PyPI) are built into
#   wheels against PY's numpy (the image's numpy 2), without build isolation;
# - every wheel goes into SITE with `pip --no-index --no-deps --target` (the caller puts
#   SITE first on PYTHONPATH: the image's numpy, opencv and torch stay as they are);
# - mmcv's patched source is unpacked into WORK; WORK/mmcv_path/mmcv points at its
#   package, whose Python parts import at once (mmcv.cnn, ...); its compiled ops come
#   from tools/gpu/build_mmcv.sh, built in place.
set -euo pipefail
KIT=$1 SITE=$2 WORK=$3 PY=$4

[[ -d $KIT/wheels ]] || { echo "install_kit: no kit at $KIT (run make gpu-kit here and" \
                               "carry .gpu_kit)" >&2; exit 1; }
if [[ -f $KIT/kit.txt ]] && ! cmp -s "$KIT/kit.txt" tools/gpu/kit.txt; then
    echo "install_kit: WARNING: $KIT/kit.txt differs from tools/gpu/kit.txt (a stale kit:" \
         "run make gpu-kit again)" >&2
fi
rm -rf "$SITE" "$WORK/wheels"
mkdir -p "$SITE" "$WORK/wheels"
PIP=("$PY" -m pip --disable-pip-version-check)
for sdist in "$KIT"/sdist/*; do
    [[ -f $sdist ]] || continue
    t0=$SECONDS
    "${PIP[@]}" wheel -q --no-deps --no-build-isolation --no-index "$sdist" -w "$WORK/wheels"
    echo "[install] built ${sdist##*/} against numpy" \
         "$("$PY" -c 'import numpy; print(numpy.__version__)') in $((SECONDS - t0)) s"
done
t0=$SECONDS
shopt -s nullglob
wheels=("$KIT"/wheels/*.whl "$WORK"/wheels/*.whl)
shopt -u nullglob
"${PIP[@]}" install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target "$SITE" "${wheels[@]}"
echo "[install] ${#wheels[@]} wheels into $SITE in $((SECONDS - t0)) s"
mmcv_src=$(tar -tzf "$KIT"/mmcv-*-patched.tar.gz | awk -F/ 'NR == 1 { print $1 }')
rm -rf "${WORK:?}/$mmcv_src" "$WORK/mmcv_path"
tar -xzf "$KIT"/mmcv-*-patched.tar.gz -C "$WORK"
mkdir -p "$WORK/mmcv_path"
ln -s "$WORK/$mmcv_src/mmcv" "$WORK/mmcv_path/mmcv"
echo "[install] $mmcv_src (patched source; Python parts now, ops after build_mmcv.sh)"
