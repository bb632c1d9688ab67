"""Pose trained and evaluated for real, on CPU: the demo (shortened), mim train, mim test."""
import json
import os
import re
import subprocess
import sys

import pytest

from conftest import REPO
from demo_run import assert_learned, export_fidelity, run_demo

GEN = REPO / 'tools/data/make_toy_coco_keypoints.py'
TOY = 'configs/pose/toy/topdown_moganet_xt_coco_256x192_toy.py'
# Shortened demo: 120 training images (239 persons) for 2 epochs, 120 iterations of the
# toy config's batch 4 (194 s of training at 1.62 s/iteration, 233 s wall, measured
# 2026-12-01 on a 2-core AMD EPYC with the same arguments). Measured in that run:
# keypoint AP on the 20 val images (43 persons) 0.000 untrained, 0.032 trained (AP50
# 0.000 -> 0.128), so AP_FLOOR = 0.01 proves learning; the training signal the Runner
# logs agrees: the heatmap loss 0.00356 -> 0.00300 (first / last two logs, ratio 0.84;
# predicting flat heatmaps keeps it at ~0.0035) and the PCK accuracy of the training
# batches 0.000 in the first logging window, 0.377 over the last three.
SHORT_TRAIN, SHORT_VAL, SHORT_EPOCHS = 120, 20, 2
AP_FLOOR = 0.01
MAX_LOSS_RATIO, MIN_ACC_POSE = 0.92, 0.10


def run(cmd, **kw):
    r = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, **kw)
    assert r.returncode == 0, \
        f'{cmd} failed ({r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}'
    return r


@pytest.mark.slow
def test_demo_shortened_learns_evaluates_and_draws(tmp_path):
    """tools/demo/pose.py, shortened: makes and stamps its set, trains (the loss falls,
    the training PCK rises from the untrained level of the first iterations past a
    floor), evaluates with CocoMetric before and after training (keypoint AP past a
    floor the untrained model misses) and draws."""
    summary, out = run_demo('pose', tmp_path, '--train', SHORT_TRAIN, '--val', SHORT_VAL,
                            '--epochs', SHORT_EPOCHS, '--floor', AP_FLOOR)
    assert_learned(summary, 'coco/AP', AP_FLOOR)
    assert 'untrained' in out and summary['picture'] in out
    logs = [
        json.loads(line) for f in (tmp_path / 'work').glob('*/vis_data/scalars.json')
        for line in f.read_text().splitlines()
    ]
    train = [d for d in logs if 'loss' in d]
    assert len(train) >= 10, logs
    first = (train[0]['loss'] + train[1]['loss']) / 2
    last = (train[-1]['loss'] + train[-2]['loss']) / 2
    assert last <= MAX_LOSS_RATIO * first, (first, last)
    acc_first, acc_last = train[0]['acc_pose'], sum(d['acc_pose'] for d in train[-3:]) / 3
    assert acc_first < MIN_ACC_POSE <= acc_last, [d['acc_pose'] for d in train]
    import cv2
    img = cv2.imread(summary['picture'])
    assert img is not None and img.shape[:2] == (256, 256)
    # its model exported, f32 and int8, scored by CocoMetric; the graph has no flip test
    export_fidelity(tmp_path / 'work', ['coco/AP'], 0.01, 0.1, 0.05)


@pytest.mark.slow
def test_mim_train_then_mim_test(tmp_path):
    data = tmp_path / 'toy'
    subprocess.run([
        sys.executable,
        str(GEN), '--out',
        str(data), '--train', '16', '--val', '4', '--seed', '2'
    ],
                   check=True,
                   capture_output=True)
    root = f'{data}/'
    opts = [
        '--cfg-options', f'train_dataloader.dataset.data_root={root}',
        f'val_dataloader.dataset.data_root={root}', f'test_dataloader.dataset.data_root={root}',
        f'val_evaluator.ann_file={root}annotations/person_keypoints_val.json',
        f'test_evaluator.ann_file={root}annotations/person_keypoints_val.json',
        'train_cfg.max_epochs=1', 'train_cfg.val_interval=1', 'default_hooks.checkpoint.interval=1'
    ]
    mim = [os.path.join(os.path.dirname(sys.executable), 'mim')]
    wd = tmp_path / 'wd'
    run(mim + ['train', 'mmpose', TOY, '--work-dir', str(wd)] + opts)
    ckpt = wd / 'epoch_1.pth'
    assert ckpt.is_file()
    r = run(
        mim +
        ['test', 'mmpose', TOY, '--checkpoint',
         str(ckpt), '--work-dir',
         str(tmp_path / 'test')] + opts)
    assert re.search(r'coco/AP: [0-9.]+', r.stdout + r.stderr), (r.stdout + r.stderr)[-2000:]
