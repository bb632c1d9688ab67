#!/usr/bin/env bash
# make gpu-kit: download into .gpu_kit/ (git-ignored) what the GPU machine's image lacks
# for the stack, so that tools/gpu/run_all.sh runs there without a network (docs/gpu.md):
#   .gpu_kit/wheels/   the cp312 manylinux / pure-Python wheels of tools/gpu/kit.txt
#   .gpu_kit/sdist/    the sources of kit.txt's `sdist` lines (no cp312 wheel on PyPI;
#                      built there against the image's numpy 2)
#   .gpu_kit/mmcv-2.1.0-patched.tar.gz   mmcv's source with this project's build patch
#                      (tools/mmcv_patch.sh, the one make install applies)
#   .gpu_kit/MANIFEST  name, size and sha256 of each file; .gpu_kit/kit.txt the list used
# Then checks that the kit plus the working tree that travels with a device call stays
# under GPU_KIT_MAX_MIB (default 40) of the call's 64 MiB, and prints the sizes.
# Idempotent: a stamp (hash of kit.txt, this script and the patch) skips the downloads.
set -euo pipefail
cd "$(dirname "$0")/../.."

KIT=${GPU_KIT_DIR:-.gpu_kit}
# pip for the downloads; the sdists' metadata is prepared without build isolation (mmcv's
# setup.py imports torch and pkg_resources), as make install does: .venv's python has both
PY=${PYTHON:-.venv/bin/python}
MAX_MIB=${GPU_KIT_MAX_MIB:-40}
MMCV_VERSION=2.1.0
PLATFORMS=(manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_24_x86_64
           manylinux_2_17_x86_64 manylinux2014_x86_64 manylinux1_x86_64)
PIP=("$PY" -m pip --disable-pip-version-check)

stamp=$(cat tools/gpu/kit.txt tools/gpu/make_kit.sh tools/mmcv_patch.sh | sha256sum | cut -d' ' -f1)
if [[ -f $KIT/.stamp && "$(cat "$KIT/.stamp")" == "$stamp" ]]; then
    echo "[gpu-kit] $KIT is up to date (delete $KIT/.stamp to download again)"
else
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    new=$tmp/kit
    mkdir -p "$new/wheels" "$new/sdist" "$tmp/src"
    # `name==version  # ... sdist ...` lines are carried as sources, the others as wheels
    grep -v '^[[:space:]]*#' tools/gpu/kit.txt | grep -v '^[[:space:]]*$' >"$tmp/all.txt"
    grep '#.*\bsdist\b' "$tmp/all.txt" | sed 's/[[:space:]]*#.*//' >"$tmp/sdists.txt" || true
    grep -v '#.*\bsdist\b' "$tmp/all.txt" | sed 's/[[:space:]]*#.*//' >"$tmp/wheels.txt"
    echo "[gpu-kit] $(wc -l <"$tmp/wheels.txt") wheels for CPython 3.12 manylinux x86_64"
    "${PIP[@]}" download -q --no-deps --only-binary=:all: --python-version 3.12 \
        --implementation cp --abi cp312 "${PLATFORMS[@]/#/--platform=}" \
        -d "$new/wheels" -r "$tmp/wheels.txt"
    if [[ -s $tmp/sdists.txt ]]; then
        echo "[gpu-kit] sources: $(tr '\n' ' ' <"$tmp/sdists.txt")"
        "${PIP[@]}" download -q --no-deps --no-build-isolation --no-binary=:all: \
            -d "$new/sdist" -r "$tmp/sdists.txt"
    fi
    # one file per line of kit.txt: a second version of a package stops the install there
    n_want=$(cat "$tmp/wheels.txt" "$tmp/sdists.txt" | wc -l)
    n_got=$(find "$new/wheels" "$new/sdist" -type f | wc -l)
    if [[ $n_want != "$n_got" ]]; then
        echo "make gpu-kit: kit.txt names $n_want packages but $n_got files came" >&2
        ls "$new/wheels" "$new/sdist" >&2
        exit 1
    fi
    echo "[gpu-kit] mmcv $MMCV_VERSION source, patched by tools/mmcv_patch.sh"
    "${PIP[@]}" download -q --no-deps --no-build-isolation --no-binary=:all: \
        "mmcv==$MMCV_VERSION" -d "$tmp/src"
    tar -xzf "$tmp/src/mmcv-$MMCV_VERSION.tar.gz" -C "$tmp/src"
    MMCV_VERSION=$MMCV_VERSION bash tools/mmcv_patch.sh "$tmp/src/mmcv-$MMCV_VERSION"
    tar -czf "$new/mmcv-$MMCV_VERSION-patched.tar.gz" -C "$tmp/src" "mmcv-$MMCV_VERSION"
    cp tools/gpu/kit.txt "$new/kit.txt"
    (cd "$new" && find . -type f ! -name MANIFEST | sort | xargs sha256sum |
        while read -r sum f; do echo "${f#./} $(stat -c %s "$f") $sum"; done) >"$new/MANIFEST"
    echo "$stamp" >"$new/.stamp"
    rm -rf "$KIT"
    mv "$new" "$KIT"
fi

# what a device call carries: the working tree (tracked and untracked-not-ignored files,
# tests/data's fixtures among them; a checkout's shared/ folder) plus the kit
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
kit_b=$(du -sb "$KIT" | cut -f1)
tree_b=$(git ls-files -z --cached --others --exclude-standard |
         du -cb --files0-from=- 2>/dev/null | tail -1 | cut -f1)
shared_b=0
[[ -d shared ]] && shared_b=$(du -sb shared | cut -f1)
total_b=$((kit_b + tree_b + shared_b))
echo "[gpu-kit] kit $(mib "$kit_b") MiB ($(find "$KIT/wheels" -type f | wc -l) wheels," \
     "$(find "$KIT/sdist" -type f | wc -l) sdist, mmcv source) + working tree $(mib "$tree_b") MiB" \
     "$( ((shared_b)) && echo "+ shared/ $(mib "$shared_b") MiB")= $(mib "$total_b") MiB of the" \
     "64 MiB a device call carries (limit here: $MAX_MIB MiB)"
if ((total_b > MAX_MIB * 1048576)); then
    echo "make gpu-kit: $(mib "$total_b") MiB is over GPU_KIT_MAX_MIB=$MAX_MIB MiB" >&2
    exit 1
fi
