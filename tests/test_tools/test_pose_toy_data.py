"""The toy COCO-keypoints generator: deterministic, and as hard as it promises."""
import hashlib
import json
import subprocess
import sys

import numpy as np
import pytest

from tools.data import make_toy_coco_keypoints as gen

from conftest import REPO

PATH = REPO / 'tools/data/make_toy_coco_keypoints.py'


def _digest(root):
    h = hashlib.sha256()
    for p in sorted(root.rglob('*')):
        if p.is_file():
            h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope='module')
def toy(tmp_path_factory):
    out = tmp_path_factory.mktemp('toy')
    gen.main(['--out', str(out), '--train', '60', '--val', '10', '--size', '192', '--seed', '3'])
    return out


def test_same_seed_same_bytes_other_seed_differs(toy, tmp_path):
    gen.main([
        '--out',
        str(tmp_path / 'a'), '--train', '60', '--val', '10', '--size', '192', '--seed', '3'
    ])
    gen.main([
        '--out',
        str(tmp_path / 'b'), '--train', '60', '--val', '10', '--size', '192', '--seed', '4'
    ])
    assert _digest(tmp_path / 'a') == _digest(toy)
    assert _digest(tmp_path / 'b') != _digest(toy)


def test_annotations_are_coco_keypoints(toy):
    coco = json.loads((toy / 'annotations/person_keypoints_train.json').read_text())
    assert len(coco['images']) == 60
    assert coco['categories'][0]['keypoints'][0] == 'nose'
    assert len(coco['categories'][0]['keypoints']) == 17
    for a in coco['annotations']:
        k = np.array(a['keypoints']).reshape(17, 3)
        assert set(k[:, 2]) <= {0, 1, 2}
        assert a['num_keypoints'] == int((k[:, 2] > 0).sum()) > 0
        assert (k[k[:, 2] == 0, :2] == 0).all()
        lab = k[k[:, 2] > 0, :2]
        assert ((lab >= 0) & (lab < 192)).all()
        x, y, w, h = a['bbox']
        assert x >= 0 and y >= 0 and x + w <= 192 and y + h <= 192 and w > 0 and h > 0
        assert 0 < a['area'] <= w * h
    assert (toy / 'train' / coco['images'][0]['file_name']).is_file()


def test_promised_difficulty(toy):
    coco = json.loads((toy / 'annotations/person_keypoints_train.json').read_text())
    anns = coco['annotations']
    per_image = np.bincount([a['image_id'] for a in anns], minlength=60)
    assert per_image.max() == 3 and (per_image >= 2).mean() > 0.4
    kv = np.array([a['keypoints'] for a in anns]).reshape(len(anns), 17, 3)[:, :, 2]
    truncated = (kv == 0).any(1).mean()
    occluded = (kv == 1).any(1).mean()
    assert 0.1 < truncated < 0.5, truncated  # cut by the border: unlabelled keypoints
    assert occluded > 0.05, occluded  # covered by another figure
    # overlapping person boxes in the same image
    overlaps = 0
    for i in range(60):
        boxes = [a['bbox'] for a in anns if a['image_id'] == i]
        overlaps += any(
            max(0,
                min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])) *
            max(0,
                min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])) > 0 for j, a in enumerate(boxes)
            for b in boxes[j + 1:])
    assert overlaps >= 10
    # the figures' scale (shoulder-to-ankle height of untruncated ones) varies >= 2.5x
    full = [np.array(a['keypoints']).reshape(17, 3) for a in anns if min(a['keypoints'][2::3]) > 0]
    heights = [k[[15, 16], 1].max() - k[[5, 6], 1].min() for k in full]
    assert max(heights) / min(heights) > 2.5


def test_cli_rejects_bad_sizes(tmp_path):
    r = subprocess.run(
        [sys.executable, str(PATH), '--out',
         str(tmp_path), '--size', '16'],
        capture_output=True,
        text=True)
    assert r.returncode != 0 and 'size must be >= 64 pixels, got 16' in r.stderr
