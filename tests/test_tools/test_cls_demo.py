"""Toy ImageNet: the generator, a shortened real training run, mim train / test."""
import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest

from tools.data.make_toy_imagenet import CLASSES, make

from conftest import REPO
from demo_run import assert_learned, run_demo

TOY_CONFIG = 'configs/cls/toy/moganet_xt_in1k_toy.py'
PY = sys.executable


def digest(root):
    h = hashlib.sha256()
    for path in sorted(root.rglob('*')):
        if path.is_file():
            h.update(str(path.relative_to(root)).encode() + path.read_bytes())
    return h.hexdigest()


def test_generator_layout_and_seed(tmp_path):
    counts = make(
        str(tmp_path / 'a'), train=3 * len(CLASSES), val=2 * len(CLASSES), size=48, seed=1)
    assert counts == dict(classes=len(CLASSES), train=3 * len(CLASSES), val=2 * len(CLASSES))
    a = tmp_path / 'a'
    assert sorted(p.name for p in (a / 'train').iterdir()) == sorted(CLASSES)
    assert len(list((a / 'train' / 'circle').glob('*.JPEG'))) == 3
    lines = (a / 'val.txt').read_text().split('\n')[:-1]
    assert len(lines) == 2 * len(CLASSES)
    for line in lines:
        name, label = line.split()
        assert (a / 'val' / name).is_file() and 0 <= int(label) < len(CLASSES)
    make(str(tmp_path / 'b'), train=3 * len(CLASSES), val=2 * len(CLASSES), size=48, seed=1)
    make(str(tmp_path / 'c'), train=3 * len(CLASSES), val=2 * len(CLASSES), size=48, seed=2)
    assert digest(a) == digest(tmp_path / 'b') != digest(tmp_path / 'c')
    with pytest.raises(ValueError, match='at least one image per class'):
        make(str(tmp_path / 'd'), train=len(CLASSES) - 1)
    uneven = make(str(tmp_path / 'e'), train=len(CLASSES) + 2, val=len(CLASSES), size=48)
    assert uneven['train'] == len(CLASSES) + 2
    assert len(list((tmp_path / 'e' / 'train' / CLASSES[0]).glob('*.JPEG'))) == 2


def test_colour_is_not_the_cue(tmp_path):
    """Mean colour per class is about the same: only shape / texture tell them apart."""
    import numpy as np
    from PIL import Image
    make(str(tmp_path), train=40 * len(CLASSES), val=len(CLASSES), size=48, seed=0)
    means = np.array([[
        np.asarray(Image.open(p)).mean((0, 1))
        for p in sorted((tmp_path / 'train' / c).glob('*.JPEG'))
    ] for c in CLASSES])  # (classes, images, 3)
    spread_between = means.mean(1).std(0).max()
    spread_within = means.std(1).mean()
    assert spread_between < 0.5 * spread_within


@pytest.fixture(scope='module')
def toy_data(tmp_path_factory):
    root = tmp_path_factory.mktemp('toy_imagenet')
    make(str(root), train=60 * len(CLASSES), val=10 * len(CLASSES), size=64, seed=0)
    return root


# The shortened demo: 8 epochs on 360 images, 96 iterations (chance is 1/6 = 16.7%;
# measured 2026-12-01 with --eval-untrained, the same arguments: untrained top-1 16.7,
# trained 46.7; loss 1.82 -> 1.26).
SHORT_FLOOR = 40.0


@pytest.fixture(scope='module')
def demo_run(tmp_path_factory):
    """tools/demo/cls.py, shortened; returns (summary, work dir)."""
    tmp = tmp_path_factory.mktemp('demo_cls')
    summary, _ = run_demo('cls', tmp, '--train', 360, '--val', 60, '--epochs', 8,
                          '--eval-untrained', '--floor', SHORT_FLOOR)
    return summary, tmp / 'work'


@pytest.mark.slow
def test_short_toy_training_learns(demo_run):
    summary, _ = demo_run
    assert_learned(summary, 'accuracy/top1', SHORT_FLOOR)
    assert summary['schedule'] == {'epochs': 8} and summary['val_images'] == 60


@pytest.mark.slow
def test_exported_model_scores_as_trained_in_f32_and_int8(demo_run, tmp_path):
    """python -m moganet_mm.deploy.evaluate on the shortened demo's model: ONNX Runtime
    and OpenVINO f32 score the top-1 of PyTorch exactly (60 images: one image is 1.7
    points); int8 with fc2 and proj_2 kept float within 5 points (measured -1.7: one
    image); every conv int8 runs, but loses more (measured 46.7 -> 35.0 here: why the
    recipe keeps those two float; docs/deploy.md has the full demo's table). Where the
    CPU runs OpenVINO at bf16 (AVX-512 BF16, AMX), --bf16 adds that row, within 5 points
    of OpenVINO f32 (elsewhere --bf16 is refused: tests/test_deploy/test_evaluate.py)."""
    from moganet_mm.deploy import openvino as ov
    bf16 = ['--bf16'] if ov.PRECISIONS['bf16'] in ov.capabilities() else []
    _, work = demo_run
    out = tmp_path / 'fidelity.json'
    proc = subprocess.run([
        sys.executable, '-m', 'moganet_mm.deploy.evaluate',
        str(work / 'moganet_xt_in1k_toy.py'),
        str(work / 'epoch_8.pth'), '--runtime', 'ort,openvino', '--calib-count', '8',
        '--keep-float', 'fc2', 'proj_2', *bf16, '--out',
        str(out)
    ],
                          capture_output=True,
                          text=True,
                          cwd=REPO)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    rows = {
        r['variant']: r['metrics']['accuracy/top1']
        for r in json.loads(out.read_text())['rows']
    }
    assert list(rows) == [
        'pytorch', 'pytorch graph', 'ort f32', 'openvino f32', *(['openvino bf16'] * len(bf16)),
        'ort int8', 'openvino int8', 'ort int8, fc2+proj_2 f32', 'openvino int8, fc2+proj_2 f32'
    ]
    assert rows['pytorch'] == rows['pytorch graph'] == rows['ort f32'] == rows['openvino f32']
    if bf16:
        assert abs(rows['openvino bf16'] - rows['openvino f32']) <= 5.0, rows
    assert all(abs(v - rows['ort f32']) <= 5.0 for k, v in rows.items() if 'fc2+proj_2' in k), rows
    assert all(0 < v <= 100 for k, v in rows.items() if 'int8' in k), rows
    assert '| ort int8, fc2+proj_2 f32 |' in proc.stdout


@pytest.mark.slow
def test_mim_train_and_test(toy_data, demo_run, tmp_path):
    mim = shutil.which('mim', path=os.path.dirname(PY)) or shutil.which('mim')
    assert mim, 'openmim is not installed in this environment'
    data = [
        f'{loader}.dataset.data_root={toy_data}'
        for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
    ]
    res = subprocess.run([
        mim, 'train', 'mmpretrain', TOY_CONFIG, '--work-dir',
        str(tmp_path / 'train'), '--launcher', 'none', '--cfg-options', *data,
        'train_cfg.max_epochs=1', 'train_cfg.val_interval=1', 'default_hooks.checkpoint.interval=1'
    ],
                         capture_output=True,
                         text=True,
                         cwd=REPO)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert (tmp_path / 'train' / 'epoch_1.pth').is_file()
    # mim test on the checkpoint the shortened demo trained
    _, work = demo_run
    res = subprocess.run([
        mim, 'test', 'mmpretrain', TOY_CONFIG, '--checkpoint',
        str(work / 'epoch_8.pth'), '--work-dir',
        str(tmp_path / 'test'), '--launcher', 'none', '--cfg-options', *data
    ],
                         capture_output=True,
                         text=True,
                         cwd=REPO)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert 'accuracy/top1' in res.stdout + res.stderr
