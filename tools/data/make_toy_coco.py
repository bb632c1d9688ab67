#!/usr/bin/env python
"""Generate a small COCO-format instance-segmentation set of shapes (seeded, deterministic).

Each image is a noisy background (a random colour gradient plus Gaussian noise) with
1-4 shapes -- circle, triangle, square -- about 45-100 px across in a 256 image. The
number of shapes is drawn with weights 1:2:3:4, so most images hold 3 or 4 (2.9 on
average, after the redraws below): every image gives the detector several objects to
learn from. A shape's colour is drawn independently of its category, so only the
outline tells the classes apart. Shapes are painted in order and may overlap; the
mask of a shape is the part still visible after the later shapes are painted, written
as COCO polygons (one per visible component). A layout in which some shape would keep
less than half of its area visible is redrawn, so every painted shape is annotated
and recognisable. Each polygon mask, rasterised by pycocotools, must agree with the
painted visible region (IoU >= 0.9), and the written files are loaded back with
pycocotools and checked.

    python tools/data/make_toy_coco.py --out data/toy_coco --train 400 --val 100

writes ``train/*.png``, ``val/*.png`` and ``annotations/instances_{train,val}.json``.
The same arguments always give byte-identical files.
"""
import argparse
import json
import os
import os.path as osp

import cv2
import numpy as np

CLASSES = ('circle', 'triangle', 'square')
MIN_VISIBLE = 0.5  # a shape must keep half of its area visible
MIN_PIXELS = 64
MIN_IOU = 0.9  # polygon mask vs painted visible region
SHAPES_PER_IMAGE, SHAPES_PER_IMAGE_P = (1, 2, 3, 4), (0.1, 0.2, 0.3, 0.4)


def shape_mask(cls, size, rng):
    """(size x size) uint8 mask of one shape of class ``cls``, randomly sized/rotated."""
    s = size
    r = rng.uniform(0.09, 0.20) * s  # radius: ~45-100 px across in a 256 image
    cx, cy = rng.uniform(r, s - r, size=2)
    mask = np.zeros((s, s), np.uint8)
    theta = rng.uniform(0, 2 * np.pi)
    if cls == 'circle':
        cv2.circle(mask, (int(round(cx)), int(round(cy))), int(round(r)), 1, -1, cv2.LINE_8)
        return mask
    if cls == 'triangle':
        angles = theta + np.array([0, 2, 4]) * np.pi / 3
        radii = np.full(3, r)
    elif cls == 'square':
        angles = theta + np.array([0, 1, 2, 3]) * np.pi / 2
        radii = np.full(4, r)
    else:
        raise ValueError(f'unknown shape {cls!r}; choose one of {CLASSES}')
    pts = np.stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)], axis=1)
    cv2.fillPoly(mask, [np.round(pts).astype(np.int32)], 1, cv2.LINE_8)
    return mask


def background(size, rng):
    """A random two-colour linear gradient with per-pixel Gaussian noise (float32 HxWx3)."""
    c0, c1 = rng.uniform(0, 255, size=(2, 3))
    direction = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:size, 0:size] / (size - 1)
    t = (np.cos(direction) * xx + np.sin(direction) * yy)
    t = (t - t.min()) / (t.max() - t.min() + 1e-6)
    img = c0 * (1 - t[..., None]) + c1 * t[..., None]
    return img + rng.normal(0, 20, size=img.shape)


def polygons(mask):
    """COCO polygons (flat [x0, y0, x1, y1, ...]) of a binary mask's outer contours.

    Contours run through pixel centres, half a pixel inside the region's edge; tracing
    them on a 4x nearest-upsampled mask puts the polygon within 1/8 pixel of the edge.
    """
    up = 4
    big = cv2.resize(mask.astype(np.uint8), None, fx=up, fy=up,
                     interpolation=cv2.INTER_NEAREST)
    contours, _ = cv2.findContours(big, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    polys = []
    for c in contours:
        c = cv2.approxPolyDP(c, epsilon=up / 2, closed=True)  # drop the pixel staircase
        if cv2.contourArea(c) < 4 * up * up or len(c) < 3:
            continue
        polys.append([round((float(v) + 0.5) / up, 3) for v in c.reshape(-1)])
    return polys


def make_image(size, rng):
    """One image (uint8 HxWx3 BGR) and its instances [(class, visible_mask, polygons)].

    Layouts are redrawn until every shape keeps >= half its area visible and its
    polygons match its visible region (IoU >= MIN_IOU).
    """
    while True:
        n = int(rng.choice(SHAPES_PER_IMAGE, p=SHAPES_PER_IMAGE_P))
        classes = rng.integers(0, len(CLASSES), size=n)
        masks = [shape_mask(CLASSES[c], size, rng) for c in classes]
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
    img = background(size, rng)
    for m in masks:
        colour = rng.uniform(0, 255, size=3)  # independent of the class
        texture = rng.normal(0, 12, size=img.shape)
        img = np.where(m[..., None] > 0, colour + texture, img)
    img = np.clip(np.round(img), 0, 255).astype(np.uint8)
    return img, list(zip(classes.tolist(), visible, polys))


def make_split(out, split, num_images, size, rng, first_ann_id=1):
    """Write ``out/<split>/*.png`` and ``out/annotations/instances_<split>.json``."""
    os.makedirs(osp.join(out, split), exist_ok=True)
    images, anns = [], []
    ann_id = first_ann_id
    for idx in range(num_images):
        img, instances = make_image(size, rng)
        file_name = f'{idx:06d}.png'
        cv2.imwrite(osp.join(out, split, file_name), img)
        images.append(dict(id=idx + 1, file_name=file_name, width=size, height=size))
        for cls, vis, polys in instances:
            ys, xs = np.nonzero(vis)
            x0, y0 = int(xs.min()), int(ys.min())
            anns.append(dict(id=ann_id, image_id=idx + 1, category_id=cls + 1,
                             segmentation=polys, area=float(vis.sum()),
                             bbox=[x0, y0, int(xs.max()) - x0 + 1, int(ys.max()) - y0 + 1],
                             iscrowd=0))
            ann_id += 1
    coco = dict(images=images, annotations=anns,
                categories=[dict(id=i + 1, name=c, supercategory='shape')
                            for i, c in enumerate(CLASSES)])
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
    import contextlib
    import io
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


def make_dataset(out, num_train=400, num_val=100, size=256, seed=0):
    """Generate and validate both splits; returns the two annotation files."""
    for name, value in (('train', num_train), ('val', num_val)):
        if value < 1:
            raise ValueError(f'--{name} must be >= 1, got {value}')
    if size < 64:
        raise ValueError(f'--size must be >= 64 pixels, got {size}')
    files = []
    for split, n, offset in (('train', num_train, 0), ('val', num_val, 1)):
        rng = np.random.default_rng([seed, offset])
        ann_file, _ = make_split(out, split, n, size, rng)
        validate(ann_file, osp.join(out, split))
        files.append(ann_file)
    return files


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', default='data/toy_coco', help='output folder')
    parser.add_argument('--train', type=int, default=400, help='number of train images')
    parser.add_argument('--val', type=int, default=100, help='number of val images')
    parser.add_argument('--size', type=int, default=256, help='image side in pixels')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    try:
        files = make_dataset(args.out, args.train, args.val, args.size, args.seed)
    except ValueError as err:
        parser.error(str(err))
    for f in files:
        print(f)


if __name__ == '__main__':
    main()
