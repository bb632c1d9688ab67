#!/usr/bin/env python
"""Generate a small COCO-format instance-segmentation set of shapes (seeded, deterministic).

Two styles of image, each with 1-4 shapes of three classes (circle, triangle,
square) whose colour is drawn independently of the class, so only the outline tells
the classes apart:

- ``plain`` (the default, ``make demo``): a flat noisy background (every pixel
  N(110, 25)); 1-4 shapes, uniformly; circles, axis-aligned squares and upward
  triangles filling a box of half-side r = 14-50 px in a 256 image, in flat colours.
- ``hard``: a random colour gradient under noise N(0, 20); 1-4 shapes drawn with
  weights 1:2:3:4 (2.9 per image); rotated, 45-100 px across, textured.

Shapes are painted in order and may overlap; the mask of a shape is the part still
visible after the later shapes are painted, written as COCO polygons (one per visible
component). A layout in which some shape would keep less than half of its area
visible is redrawn, so every painted shape is annotated and recognisable. Each
polygon mask, rasterised by pycocotools, must agree with the painted visible region
(IoU >= 0.9), and the written files are loaded back with pycocotools and checked.

    python tools/data/make_toy_coco.py --out data/toy_coco --train 400 --val 100 [--style hard]

writes ``train/*.png``, ``val/*.png`` and ``annotations/instances_{train,val}.json``.
The same arguments always give byte-identical files.
"""
import argparse
import json
import os
import os.path as osp
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tools/ is not installed

import contextlib
import io

from tools.data.common import gradient

CLASSES = ('circle', 'triangle', 'square')
MIN_VISIBLE = 0.5  # a shape must keep half of its area visible
MIN_PIXELS = 64
MIN_IOU = 0.9  # polygon mask vs painted visible region


class Style:
    """How the images of a style are drawn (see the module docstring)."""

    def __init__(self, shapes_p, radius, upright, background, texture):
        self.shapes_p = shapes_p  # P(1..4 shapes)
        self.radius = radius  # shape radius, as fractions of the image side
        self.upright = upright  # axis-aligned squares, upward triangles
        self.background = background  # (rng, size) -> float HxWx3
        self.texture = texture  # std of the noise on a shape's colour


STYLES = {
    'plain':
    Style((0.25, 0.25, 0.25, 0.25), (14 / 256, 50 / 256), True,
          lambda rng, size: rng.normal(110, 25, size=(size, size, 3)), 0),
    'hard':
    Style((0.1, 0.2, 0.3, 0.4), (0.09, 0.20), False,
          lambda rng, size: gradient(rng, size) + rng.normal(0, 20, (size, size, 3)), 12),
}


def shape_mask(cls, size, rng, style=STYLES['plain']):
    """(size x size) uint8 mask of one shape of class ``cls``, randomly sized and placed.

    Upright shapes fill the 2r x 2r box around their centre: a circle of radius r, an
    axis-aligned square of half-side r, a triangle with its apex at the top middle and
    its base along the bottom. Otherwise the corners lie on the circle of radius r
    (an equilateral triangle, a square), turned by a random angle.
    """
    if cls not in CLASSES:
        raise ValueError(f'unknown shape {cls!r}; choose one of {CLASSES}')
    s = size
    r = rng.uniform(*style.radius) * s
    cx, cy = rng.uniform(r, s - r, size=2)
    mask = np.zeros((s, s), np.uint8)
    if cls == 'circle':
        cv2.circle(mask, (int(round(cx)), int(round(cy))), int(round(r)), 1, -1, cv2.LINE_8)
        return mask
    if style.upright:  # corners as offsets in units of r (image y points down)
        corners = {
            'triangle': [(0, -1), (1, 1), (-1, 1)],
            'square': [(-1, -1), (1, -1), (1, 1), (-1, 1)]
        }[cls]
        pts = np.array([cx, cy]) + r * np.array(corners, float)
    else:
        k = {'triangle': 3, 'square': 4}[cls]
        angles = rng.uniform(0, 2 * np.pi) + np.arange(k) * 2 * np.pi / k
        pts = np.stack([cx + r * np.cos(angles), cy + r * np.sin(angles)], axis=1)
    cv2.fillPoly(mask, [np.round(pts).astype(np.int32)], 1, cv2.LINE_8)
    return mask


def polygons(mask):
    """COCO polygons (flat [x0, y0, x1, y1, ...]) of a binary mask's outer contours.

    Contours run through pixel centres, half a pixel inside the region's edge; tracing
    them on a 4x nearest-upsampled mask puts the polygon within 1/8 pixel of the edge.
    """
    up = 4
    big = cv2.resize(mask.astype(np.uint8), None, fx=up, fy=up, interpolation=cv2.INTER_NEAREST)
    contours, _ = cv2.findContours(big, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    polys = []
    for c in contours:
        c = cv2.approxPolyDP(c, epsilon=up / 2, closed=True)  # drop the pixel staircase
        if cv2.contourArea(c) < 4 * up * up or len(c) < 3:
            continue
        polys.append([round((float(v) + 0.5) / up, 3) for v in c.reshape(-1)])
    return polys


def make_image(size, rng, style=STYLES['plain']):
    """One image (uint8 HxWx3 BGR) and its instances [(class, visible_mask, polygons)].

    Layouts are redrawn until every shape keeps >= half its area visible and its
    polygons match its visible region (IoU >= MIN_IOU).
    """
    while True:
        n = int(rng.choice((1, 2, 3, 4), p=style.shapes_p))
        classes = rng.integers(0, len(CLASSES), size=n)
        masks = [shape_mask(CLASSES[c], size, rng, style) for c in classes]
        visible = []
        for i, m in enumerate(masks):
            v = m.copy()
            for later in masks[i + 1:]:
                v[later > 0] = 0
            visible.append(v)
        if not all(v.sum() >= max(MIN_PIXELS, MIN_VISIBLE * m.sum())
                   for m, v in zip(masks, visible)):
            continue
        # a shape lying inside another punches a hole that a polygon cannot show
        polys = [polygons(v) for v in visible]
        if all(polygon_iou(p, v) >= MIN_IOU for p, v in zip(polys, visible)):
            break
    img = style.background(rng, size)
    for m in masks:
        colour = rng.uniform(0, 255, size=3)  # independent of the class
        if style.texture:
            colour = colour + rng.normal(0, style.texture, size=img.shape)
        img = np.where(m[..., None] > 0, colour, img)
    img = np.clip(np.round(img), 0, 255).astype(np.uint8)
    return img, list(zip(classes.tolist(), visible, polys))


def make_split(out, split, num_images, size, rng, style, first_ann_id=1):
    """Write ``out/<split>/*.png`` and ``out/annotations/instances_<split>.json``."""
    os.makedirs(osp.join(out, split), exist_ok=True)
    images, anns = [], []
    ann_id = first_ann_id
    for idx in range(num_images):
        img, instances = make_image(size, rng, style)
        file_name = f'{idx:06d}.png'
        cv2.imwrite(osp.join(out, split, file_name), img)
        images.append(dict(id=idx + 1, file_name=file_name, width=size, height=size))
        for cls, vis, polys in instances:
            ys, xs = np.nonzero(vis)
            x0, y0 = int(xs.min()), int(ys.min())
            anns.append(
                dict(
                    id=ann_id,
                    image_id=idx + 1,
                    category_id=cls + 1,
                    segmentation=polys,
                    area=float(vis.sum()),
                    bbox=[x0, y0, int(xs.max()) - x0 + 1,
                          int(ys.max()) - y0 + 1],
                    iscrowd=0))
            ann_id += 1
    coco = dict(
        images=images,
        annotations=anns,
        categories=[dict(id=i + 1, name=c, supercategory='shape') for i, c in enumerate(CLASSES)])
    os.makedirs(osp.join(out, 'annotations'), exist_ok=True)
    ann_file = osp.join(out, 'annotations', f'instances_{split}.json')
    with open(ann_file, 'w') as f:
        json.dump(coco, f)
    return ann_file, ann_id


def polygon_iou(polys, visible):
    """IoU of the polygons, rasterised by pycocotools, with the ``visible`` mask."""
    from pycocotools import mask as mask_utils
    if not polys:
        return 0.
    h, w = visible.shape
    m = mask_utils.decode(mask_utils.merge(mask_utils.frPyObjects(polys, h, w)))
    return np.logical_and(m, visible).sum() / (np.logical_or(m, visible).sum() + 1e-9)


def validate(ann_file, img_dir, min_iou=MIN_IOU):
    """Load ``ann_file`` with pycocotools and check every annotation against itself.

    Each polygon mask (``annToMask``) must have about the stored ``area`` and lie in
    the stored ``bbox``; every image file must exist. Raises ``ValueError`` naming
    the first bad annotation; returns the ``COCO`` object.
    """

    from pycocotools.coco import COCO
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO(ann_file)
    for ann in coco.loadAnns(coco.getAnnIds()):
        m = coco.annToMask(ann)
        if not ann['segmentation']:
            raise ValueError(f'{ann_file}: annotation {ann["id"]} has no polygon')
        area_ratio = m.sum() / ann['area']
        if not (min_iou <= area_ratio <= 1 / min_iou):
            raise ValueError(f'{ann_file}: annotation {ann["id"]}: polygon area {m.sum()} vs '
                             f'visible area {ann["area"]}')
        x, y, w, h = ann['bbox']
        outside = m.sum() - m[y:y + h, x:x + w].sum()
        if outside > (1 - min_iou) * m.sum():
            raise ValueError(f'{ann_file}: annotation {ann["id"]}: polygon leaves its bbox')
    for img in coco.loadImgs(coco.getImgIds()):
        if not osp.exists(osp.join(img_dir, img['file_name'])):
            raise ValueError(f'{ann_file}: missing image {img["file_name"]}')
    return coco


def make(root, train=400, val=100, size=256, seed=0, style='plain'):
    """Generate and validate both splits under ``root``; returns the two annotation
    files."""
    if style not in STYLES:
        raise ValueError(f'unknown style {style!r}; choose one of {sorted(STYLES)}')
    for name, value in (('train', train), ('val', val)):
        if value < 1:
            raise ValueError(f'{name} must be >= 1 images, got {value}')
    if size < 64:
        raise ValueError(f'size must be >= 64 pixels, got {size}')
    files = []
    for split, n, offset in (('train', train, 0), ('val', val, 1)):
        rng = np.random.default_rng([seed, offset])
        ann_file, _ = make_split(root, split, n, size, rng, STYLES[style])
        validate(ann_file, osp.join(root, split))
        files.append(ann_file)
    return files


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', default='data/toy_coco', help='output folder')
    parser.add_argument('--train', type=int, default=400, help='number of train images')
    parser.add_argument('--val', type=int, default=100, help='number of val images')
    parser.add_argument('--size', type=int, default=256, help='image side in pixels')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--style',
        choices=sorted(STYLES),
        default='plain',
        help='plain (make demo) or hard (see the module docstring)')
    args = parser.parse_args(argv)
    try:
        files = make(args.out, args.train, args.val, args.size, args.seed, args.style)
    except ValueError as err:
        parser.error(str(err))
    for f in files:
        print(f)


if __name__ == '__main__':
    main()
