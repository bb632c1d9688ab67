"""Pose trained and evaluated for real, on CPU: the demo (shortened), mim train, mim test."""
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import REPO

GEN = REPO / 'tools/data/make_toy_coco_keypoints.py'
TOY = 'configs/pose/toy/topdown_moganet_xt_coco_256x192_toy.py'
# Shortened demo: a handful of training images, evaluated on those same images
# (val := train). It checks the pipeline end to end; no learning floor is met yet.
SHORT_IMAGES, SHORT_EPOCHS = 6, 6


def run(cmd, **kw):
    r = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, **kw)
    assert r.returncode == 0, f'{cmd} failed ({r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}'
    return r


@pytest.mark.slow
def test_demo_shortened_runs_evaluates_and_draws(tmp_path):
    """tools/demo/pose.py, shortened: trains, evaluates with CocoMetric, draws.

    Not a learning floor yet: after SHORT_EPOCHS epochs on SHORT_IMAGES images the
    toy model still scores AP 0 on them (measured 2026-11-25); the demo's floor
    (0.70) is unmet and issue 6 stays open until a shortened run that learns is found.
    """
    data = tmp_path / 'toy'
    subprocess.run([sys.executable, str(GEN), '--out', str(data), '--train', str(SHORT_IMAGES),
                    '--val', '1', '--seed', '5'], check=True, capture_output=True)
    shutil.rmtree(data / 'val')
    shutil.copytree(data / 'train', data / 'val')
    shutil.copy(data / 'annotations/person_keypoints_train.json',
                data / 'annotations/person_keypoints_val.json')
    summary, picture = tmp_path / 'summary.json', tmp_path / 'pred.png'
    r = run([sys.executable, 'tools/demo/pose.py', '--data', str(data), '--epochs',
             str(SHORT_EPOCHS), '--work-dir', str(tmp_path / 'wd'), '--floor', '0',
             '--out-img', str(picture), '--summary', str(summary)])
    s = json.loads(summary.read_text())
    assert 0 <= s['ap_untrained'] <= 1 and 0 <= s['ap_trained'] <= 1, s
    assert 'AP untrained' in r.stdout and str(picture) in r.stdout
    import cv2
    img = cv2.imread(str(picture))
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
