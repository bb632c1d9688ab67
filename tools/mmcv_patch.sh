#!/usr/bin/env bash
# Patch an unpacked mmcv 2.1.0 sdist for this project's build: `tools/mmcv_patch.sh SRC`.
#
# The one copy of the patch, used by `make install` (tools/install.sh) and by the GPU
# kit (tools/gpu/make_kit.sh, which carries the patched source to the GPU machine):
# 1. torch >= 2.14 headers need C++20; the sdist hard-codes c++14/c++17. Without debug
#    info (-g0; Python's CFLAGS add -g) each file compiles in half the time.
# 2. Parsing torch's headers is most of each file's compile time, and 63 of the 83 files
#    are dispatch stubs (no statics, no macros): build them as two translation units
#    that include them, not one each. The CPU kernels in cpu/ define same-named helpers
#    and macros, so they stay one file each.
set -euo pipefail
src=${1:?usage: tools/mmcv_patch.sh MMCV_SOURCE_DIR}
MMCV_VERSION=${MMCV_VERSION:-2.1.0}

sed -i -e 's/-std=c++14/-std=c++20/g' -e 's/-std=c++17/-std=c++20/g' \
    -e "s/\(extra_compile_args\['cxx'\] = \['-std=c++20'\)\]/\1, '-g0']/" "$src/setup.py"
grep -q "'-std=c++20', '-g0'" "$src/setup.py" || {
    echo "make install: mmcv $MMCV_VERSION's setup.py has no \"extra_compile_args['cxx'] =" \
         "['-std=c++17']\" line to add -g0 to; is MMCV_VERSION still the sdist this" \
         "script patches (2.1.0)?" >&2
    false
}
ops=$src/mmcv/ops/csrc/pytorch
mkdir "$ops/stubs"
mv "$ops"/*.cpp "$ops/stubs/"
i=0
for f in "$ops"/stubs/*.cpp; do
    echo "#include \"stubs/${f##*/}\"" >>"$ops/stubs_$((i++ % 2)).cpp"
done
