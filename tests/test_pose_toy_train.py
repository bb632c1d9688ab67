"""Pose trained and evaluated for real, on CPU: the demo (shortened), mim train, mim test."""
import json
import os
import re
import subprocess
import sys

import pytest
from conftest import REPO
from demo_run import run_demo

GEN = REPO / 'tools/data/make_toy_coco_keypoints.py'
TOY = 'configs/pose/toy/topdown_moganet_xt_coco_256x192_toy.py'
# Shortened demo: 160 training images (~330 persons) for 3 epochs, ~245 iterations of
# the toy config's batch 4 (~3 min; 181 s measured 2026-11-26). That is too early for
# keypoint AP (with batch 8, 123 iterations: AP 0.000, AP50 0.002 on 20 val images; the
# full demo makes 870 iterations, docs/notes/pose.md), so the learning floor is on the training
# signal the Runner logs: the heatmap loss falls below the level of the first iterations
# (measured with batch 8: 0.00351 -> 0.00298, ratio 0.85; predicting flat heatmaps keeps
# it at ~0.0035) and the PCK accuracy of the training batches rises from its untrained
# level in the first logging window (POSE_ACC_FIRST) to POSE_ACC_LAST over the last three.
SHORT_TRAIN, SHORT_VAL, SHORT_EPOCHS = 160, 20, 3
MAX_LOSS_RATIO, MIN_ACC_POSE = 0.92, 0.10


def run(cmd, **kw):
    r = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, **kw)
    assert r.returncode == 0, f'{cmd} failed ({r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}'
    return r


@pytest.mark.slow
def test_demo_shortened_learns_evaluates_and_draws(tmp_path):
    """tools/demo/pose.py, shortened: makes and stamps its set, trains (the loss falls,
    the training PCK rises from the untrained level of the first iterations past a
    floor), evaluates with CocoMetric before and after training and draws."""
    summary, out = run_demo('pose', tmp_path, '--train', SHORT_TRAIN, '--val', SHORT_VAL,
                            '--epochs', SHORT_EPOCHS, '--floor', 0)
    assert 0 <= summary['untrained_metrics']['coco/AP'] <= summary['metrics']['coco/AP']
    assert 'untrained' in out and summary['picture'] in out
    logs = [json.loads(line) for f in (tmp_path / 'work').glob('*/vis_data/scalars.json')
            for line in f.read_text().splitlines()]
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


@pytest.mark.slow
def test_mim_train_then_mim_test(tmp_path):
    data = tmp_path / 'toy'
    subprocess.run([sys.executable, str(GEN), '--out', str(data), '--train', '16', '--val', '4',
                    '--seed', '2'], check=True, capture_output=True)
    root = f'{data}/'
    opts = ['--cfg-options', f'train_dataloader.dataset.data_root={root}',
            f'val_dataloader.dataset.data_root={root}', f'test_dataloader.dataset.data_root={root}',
            f'val_evaluator.ann_file={root}annotations/person_keypoints_val.json',
            f'test_evaluator.ann_file={root}annotations/person_keypoints_val.json',
            'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
            'default_hooks.checkpoint.interval=1']
    mim = [os.path.join(os.path.dirname(sys.executable), 'mim')]
    wd = tmp_path / 'wd'
    run(mim + ['train', 'mmpose', TOY, '--work-dir', str(wd)] + opts)
    ckpt = wd / 'epoch_1.pth'
    assert ckpt.is_file()
    r = run(mim + ['test', 'mmpose', TOY, '--checkpoint', str(ckpt), '--work-dir',
                   str(tmp_path / 'test')] + opts)
    assert re.search(r'coco/AP: [0-9.]+', r.stdout + r.stderr), (r.stdout + r.stderr)[-2000:]
