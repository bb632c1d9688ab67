#!/usr/bin/env bash
# The GPU run in one command (docs/gpu.md). On the GPU machine, with the device tool:
#   run(command="bash tools/gpu/run_all.sh", carry=[".gpu_kit"], timeout_s=600)
# after `make gpu-kit` here. Each step has a budget (seconds on 16 cores and one
# H100/H200) and runs under `timeout` within it and within what is left of the whole
# run's GPU_KIT_TOTAL_S (540 s: 9 minutes); a step that would start with less than its
# minimum left is skipped with a line in the summary. In order: the steps that need no
# compiled mmcv ops first (their results are in $OUT if time runs out), the mmcv build,
# then the steps that need its ops, the detector training last:
#   install          the kit into a target folder, pip --no-index (tools/gpu/install_kit.sh)
#   env              machine, versions, the stack's imports (tools/gpu/env_check.py)
#   bench_backbones  GPU: six MogaNet sizes + ResNet-50 / ConvNeXt-T / Swin-T, fp32 / fp16 /
#                    bf16, eager / deploy / channels_last / torch.compile, bs 1 and 64, memory
#   mmcv_build       mmcv's ops for this machine (CUDA for its GPU's arch), all cores
#   check_cuda       GPU: RoIAlign on CUDA = CPU; the ONNX Runtime CUDA provider if present
#   whole_mask_rcnn  GPU: Mask R-CNN 1x 1280x800, MogaNet-S and the peers, fp32 and fp16
#   train_amp        GPU: Mask R-CNN MogaNet-XT, toy COCO, 100 AMP iterations, CocoMetric
# Without CUDA each GPU step reports "skipped: no CUDA"; with GPU_KIT_SMOKE=1 (the CPU
# rehearsal, make gpu-rehearsal) it then runs the same script with --smoke (tiny, on
# the CPU). Files in $OUT (the device tool returns at most 8): summary.json,
# run_all.log, bench_backbones.json, check_cuda.json, whole_mask_rcnn.json,
# train_amp.json. Exit status: 1 if a step that ran failed, else 0.
# Settings: GPU_KIT_PYTHON (python3), GPU_KIT_DIR (.gpu_kit), GPU_KIT_WORK
# (/tmp/gpu_kit_work), GPU_KIT_TOTAL_S (540), GPU_KIT_BUDGET_SCALE (1: every budget
# times this; the CPU rehearsal's build needs more), MAX_JOBS (all cores), OUT
# (the device tool sets it; else work_dirs/gpu_run).
set -uo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
PY=${GPU_KIT_PYTHON:-python3}
KIT=${GPU_KIT_DIR:-$REPO/.gpu_kit}
OUT=${OUT:-$REPO/work_dirs/gpu_run}
WORK=${GPU_KIT_WORK:-/tmp/gpu_kit_work}
SCALE=${GPU_KIT_BUDGET_SCALE:-1}
TOTAL=$((${GPU_KIT_TOTAL_S:-540} * SCALE))
JOBS=${MAX_JOBS:-$(nproc)}
SMOKE=${GPU_KIT_SMOKE:-}
SITE=$WORK/site
STEPS=$WORK/steps.tsv

mkdir -p "$OUT" "$WORK"
# what an earlier run left in WORK (only the names this script makes there)
rm -rf "${WORK:?}"/{site,wheels,mmcv_path,train,toy_coco} "$WORK"/mmcv-[0-9]* \
    "$WORK"/*.json "$WORK"/*.log "$WORK"/*.tsv
: >"$STEPS"
exec > >(tee "$OUT/run_all.log") 2>&1
# Python 3.12 warns of the invalid escapes in mmdet's and mmpretrain's sources each time
# it compiles them: noise, not news
export PYTHONUNBUFFERED=1 PYTHONWARNINGS=ignore::SyntaxWarning MPLBACKEND=Agg
echo "[run_all] $(date -u +%FT%TZ) $(hostname) $(nproc) cores, $PY, kit $KIT, OUT $OUT," \
     "budget ${TOTAL}s"

CUDA=0 OPS=0 BROKEN="" FAILED=0 LAST_STATUS=""

summarize() {
    "$PY" tools/gpu/summary.py --steps "$STEPS" --env "$WORK/env.json" \
        --env-ops "$WORK/env_ops.json" --out "$OUT" --total "$TOTAL" "$@" ||
        echo "[run_all] summary.py failed" >&2
}

record() {  # record NAME STATUS SECONDS BUDGET NOTE; LAST_STATUS=STATUS
    LAST_STATUS=$2
    printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:-}" >>"$STEPS"
    echo "[$1] $2 after $3 s${5:+ ($5)}"
    summarize >/dev/null
}

# run_step NAME BUDGET MIN NEEDS COMMAND...: NEEDS is a list of cuda (a GPU), ops (the
# mmcv build), or -; BUDGET and MIN are seconds on the GPU machine (times SCALE)
run_step() {
    local name=$1 budget=$(($2 * SCALE)) min=$(($3 * SCALE)) needs=$4
    shift 4
    local t0=$SECONDS left=$((TOTAL - SECONDS)) rc note="" limit
    echo
    echo "=== [$name] +${SECONDS}s: budget ${budget}s, ${left}s left of ${TOTAL}s"
    if [[ -n $BROKEN ]]; then
        record "$name" "skipped: $BROKEN" 0 "$budget"
        return 0
    fi
    if [[ $needs == *cuda* && $CUDA != 1 ]]; then
        if [[ -n $SMOKE && ($needs != *ops* || $OPS == 1) ]]; then
            GPU_KIT_DEADLINE=$(($(date +%s) + budget)) timeout -k 10 "$budget" "$@" --smoke
            rc=$?
            note="CPU smoke of the same script: $( ((rc == 0)) && echo ok || echo "FAILED (exit $rc)")"
            ((rc == 0)) || FAILED=1
        elif [[ -n $SMOKE ]]; then
            note="no CPU smoke: mmcv's ops were not built"
        fi
        record "$name" "skipped: no CUDA" $((SECONDS - t0)) "$budget" "$note"
        return 0
    fi
    if [[ $needs == *ops* && $OPS != 1 ]]; then
        record "$name" "skipped: mmcv's ops were not built" 0 "$budget"
        return 0
    fi
    if ((left < min)); then
        record "$name" "skipped: over budget (needs ${min}s+, ${left}s left)" 0 "$budget"
        return 0
    fi
    limit=$((budget < left ? budget : left))
    # the step's own deadline comes 10 s before the kill, to write what it has
    GPU_KIT_DEADLINE=$(($(date +%s) + limit - 10)) timeout -k 10 "$limit" "$@"
    rc=$?
    if ((rc == 0)); then
        record "$name" ok $((SECONDS - t0)) "$budget"
    elif ((rc == 124 || rc == 137)); then
        record "$name" "over budget: stopped at ${limit}s" $((SECONDS - t0)) "$budget" \
            "results so far kept"
        FAILED=1
    else
        record "$name" "failed (exit $rc)" $((SECONDS - t0)) "$budget"
        FAILED=1
    fi
    return $rc
}

# --- steps without mmcv's compiled ops --------------------------------------------
run_step install 60 0 - bash tools/gpu/install_kit.sh "$KIT" "$SITE" "$WORK" "$PY" ||
    BROKEN="the kit did not install"
export PYTHONPATH=$SITE:$WORK/mmcv_path:$REPO${PYTHONPATH:+:$PYTHONPATH}
if [[ -z $BROKEN ]]; then
    CUDA=$("$PY" -c 'import torch; print(int(torch.cuda.is_available()))' 2>/dev/null || echo 0)
    echo "[run_all] CUDA: $( ((CUDA)) && echo yes || echo "no: every GPU step is skipped")"
fi
run_step env 45 15 - "$PY" tools/gpu/env_check.py --json "$WORK/env.json"
run_step bench_backbones 140 40 cuda \
    "$PY" tools/gpu/bench_backbones.py --json "$OUT/bench_backbones.json"

# --- mmcv's ops: last but one ----------------------------------------------------
mmcv_src=$(find "$WORK" -maxdepth 1 -name 'mmcv-*' -type d 2>/dev/null | head -1)
run_step mmcv_build 330 120 - bash tools/gpu/build_mmcv.sh "$mmcv_src" "$PY" "$JOBS" \
    "$WORK/mmcv_build.log"
if [[ $LAST_STATUS == ok ]]; then
    if "$PY" tools/gpu/env_check.py --ops --json "$WORK/env_ops.json"; then
        OPS=1
    else
        record mmcv_import "failed: mmcv.ops or a codebase's models do not import" 0 0
        FAILED=1
    fi
fi

# --- steps that need mmcv's ops; the training last ---------------------------------
run_step check_cuda 40 10 cuda,ops \
    "$PY" tools/gpu/check_cuda_step.py --json "$OUT/check_cuda.json"
run_step whole_mask_rcnn 90 40 cuda,ops \
    "$PY" tools/gpu/bench_whole.py --json "$OUT/whole_mask_rcnn.json"
run_step train_amp 100 50 cuda,ops \
    "$PY" tools/gpu/train_det.py --json "$OUT/train_amp.json" \
    --work-dir "$WORK/train" --data-root "$WORK/toy_coco"

summarize --print
exit $FAILED
