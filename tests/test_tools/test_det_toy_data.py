"""tools/data/make_toy_coco.py: deterministic, valid COCO, and a fair task."""
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tools.data import make_toy_coco

REPO = Path(__file__).resolve().parents[2]


def digest(root):
    h = hashlib.sha256()
    for f in sorted(Path(root).rglob('*')):
        if f.is_file():
            h.update(f.relative_to(root).as_posix().encode() + f.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope='module')
def toy(tmp_path_factory):
    root = tmp_path_factory.mktemp('toy_coco')
    make_toy_coco.make(str(root), train=60, val=12, size=128, seed=3)
    return root


def test_deterministic_and_seeded(toy, tmp_path):
    make_toy_coco.make(str(tmp_path / 'again'), 60, 12, 128, 3)
    assert digest(toy) == digest(tmp_path / 'again')
    make_toy_coco.make(str(tmp_path / 'other'), 60, 12, 128, 4)
    assert digest(toy) != digest(tmp_path / 'other')


def test_valid_coco_with_matching_polygons(toy):
    for split, n in (('train', 60), ('val', 12)):
        coco = make_toy_coco.validate(
            str(toy / 'annotations' / f'instances_{split}.json'), str(toy / split))
        assert len(coco.getImgIds()) == n
        assert len(coco.getCatIds()) >= 3
        per_image = [len(coco.getAnnIds(imgIds=i)) for i in coco.getImgIds()]
        assert min(per_image) >= 1 and max(per_image) <= 4


def test_objects_vary_and_overlap(toy):
    data = json.loads((toy / 'annotations' / 'instances_train.json').read_text())
    areas = np.array([a['area'] for a in data['annotations']])
    assert areas.max() > 4 * areas.min()  # varied sizes
    # some masks lost area to a shape painted over them: bbox area >> mask area
    # is normal for triangles, so count images where two boxes intersect
    boxes = {}
    for a in data['annotations']:
        boxes.setdefault(a['image_id'], []).append(a['bbox'])
    overlapping = 0
    for bs in boxes.values():
        for i in range(len(bs)):
            for j in range(i + 1, len(bs)):
                (x1, y1, w1, h1), (x2, y2, w2, h2) = bs[i], bs[j]
                if min(x1 + w1, x2 + w2) > max(x1, x2) and min(y1 + h1, y2 + h2) > max(y1, y2):
                    overlapping += 1
    assert overlapping >= 3
    assert {a['category_id'] for a in data['annotations']} == {1, 2, 3}


def test_colour_says_nothing_about_the_class(toy):
    """Mean object colour per class: classes are not separable by colour."""
    import cv2
    from pycocotools.coco import COCO
    coco = COCO(str(toy / 'annotations' / 'instances_train.json'))
    colours = {c: [] for c in coco.getCatIds()}
    for img in coco.loadImgs(coco.getImgIds()):
        pixels = cv2.imread(str(toy / 'train' / img['file_name'])).astype(float)
        for ann in coco.loadAnns(coco.getAnnIds(imgIds=img['id'])):
            m = coco.annToMask(ann) > 0
            colours[ann['category_id']].append(pixels[m].mean(0))
    means = np.array([np.mean(v, 0) for v in colours.values()])
    spread = np.array([np.std(v, 0) for v in colours.values()])
    # class means differ by far less than the colour spread within a class
    assert np.abs(means[:, None] - means[None]).max() < spread.min()


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match='train must be >= 1 images, got 0'):
        make_toy_coco.make('unused', train=0)
    with pytest.raises(ValueError, match="unknown style 'easy'; choose one of"):
        make_toy_coco.make('unused', style='easy')
    out = subprocess.run([
        sys.executable,
        str(REPO / 'tools/data/make_toy_coco.py'), '--size', '16', '--out', 'unused'
    ],
                         capture_output=True,
                         text=True)
    assert out.returncode != 0 and 'size must be >= 64 pixels, got 16' in out.stderr


@pytest.mark.parametrize('cls', make_toy_coco.CLASSES)
def test_plain_shapes_fill_their_box(cls):
    """A plain-style shape of radius r fills the 2r x 2r box around its centre: a
    circle, an axis-aligned square, a triangle with its apex at the top middle."""
    style = make_toy_coco.STYLES['plain']
    for seed in range(5):
        mask = make_toy_coco.shape_mask(cls, 256, np.random.default_rng(seed), style)
        r = np.random.default_rng(seed).uniform(*style.radius) * 256  # the first draw
        ys, xs = np.nonzero(mask)
        w, h = xs.max() - xs.min() + 1, ys.max() - ys.min() + 1
        assert abs(w - 2 * r) <= 2 and abs(h - 2 * r) <= 2, (cls, w, h, r)
        fill = mask.sum() / (w * h)
        expected = {'circle': np.pi / 4, 'square': 1.0, 'triangle': 0.5}[cls]
        assert abs(fill - expected) < 0.06, (cls, fill)
        if cls == 'triangle':  # apex up: the top row is narrow, the bottom row full
            top, bottom = mask[ys.min()].sum(), mask[ys.max()].sum()
            assert top <= 3 and bottom >= w - 2, (top, bottom, w)
