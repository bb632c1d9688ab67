#!/usr/bin/env python
"""Generate a small synthetic classification set in the ImageNet folder layout.

Six classes told apart by shape or texture, never by colour: every image draws
its two colours (foreground, background) at random, with enough contrast to be
visible, and adds pixel noise. Shapes vary in position, size and rotation.

    circle, square, triangle, cross  - one filled shape
    stripes                          - parallel bands at a random angle and period
    checker                          - a checkerboard at a random angle and period

Layout (what mmpretrain's ``CustomDataset`` reads; class index = sorted name)::

    OUT/train/<class>/<class>_00000.JPEG ...
    OUT/val/val_00000.JPEG ...
    OUT/val.txt          "val_00000.JPEG <label>" per line
    OUT/classes.txt      one class name per line, in label order

    python tools/data/make_toy_imagenet.py --out data/toy_imagenet \\
        --train 600 --val 180 --size 64 --seed 0
"""
import argparse
import math
import os
import os.path as osp

import numpy as np
from PIL import Image, ImageDraw

CLASSES = ('checker', 'circle', 'cross', 'square', 'stripes', 'triangle')


def _colours(rng):
    """Two random RGB colours whose grey levels differ by at least 60."""
    while True:
        fg, bg = rng.integers(0, 256, size=(2, 3))
        grey = lambda c: 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]  # noqa: E731
        if abs(grey(fg) - grey(bg)) >= 60:
            return tuple(int(v) for v in fg), tuple(int(v) for v in bg)


def _rotate(points, angle, centre):
    c, s = math.cos(angle), math.sin(angle)
    cx, cy = centre
    return [(cx + c * x - s * y, cy + s * x + c * y) for x, y in points]


def _texture(name, size, rng, fg, bg):
    """A periodic texture over the whole image (stripes or checkerboard)."""
    period = rng.uniform(size / 8, size / 3.5)
    angle = rng.uniform(0, math.pi)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    u = xx * math.cos(angle) + yy * math.sin(angle)
    phase = rng.uniform(0, period)
    band = np.floor((u + phase) / period).astype(int)
    if name == 'checker':
        v = -xx * math.sin(angle) + yy * math.cos(angle)
        band = band + np.floor((v + rng.uniform(0, period)) / period).astype(int)
    mask = (band % 2 == 0)[..., None]
    return np.where(mask, np.array(fg), np.array(bg)).astype(np.uint8)


def _shape(name, size, rng, fg, bg):
    """One filled shape of random size, position and rotation."""
    img = Image.new('RGB', (size, size), bg)
    draw = ImageDraw.Draw(img)
    r = rng.uniform(0.2, 0.35) * size  # half extent
    centre = tuple(rng.uniform(r + 1, size - r - 1, size=2))
    angle = rng.uniform(0, 2 * math.pi)
    if name == 'circle':
        cx, cy = centre
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fg)
        return np.asarray(img)
    if name == 'square':
        pts = [(-r, -r), (r, -r), (r, r), (-r, r)]
        pts = [(x * 0.8, y * 0.8) for x, y in pts]
    elif name == 'triangle':
        pts = [(r * math.cos(a), r * math.sin(a))
               for a in (-math.pi / 2, math.pi / 6, 5 * math.pi / 6)]
    elif name == 'cross':
        w = r * 0.3
        pts = [(-w, -r), (w, -r), (w, -w), (r, -w), (r, w), (w, w), (w, r), (-w, r), (-w, w),
               (-r, w), (-r, -w), (-w, -w)]
    else:
        raise ValueError(f'Unknown class {name!r}; classes are {CLASSES}')
    draw.polygon(_rotate(pts, angle, centre), fill=fg)
    return np.asarray(img)


def render(name: str, size: int, rng: np.random.Generator) -> np.ndarray:
    """An HxWx3 uint8 image of class ``name``."""
    fg, bg = _colours(rng)
    if name in ('stripes', 'checker'):
        img = _texture(name, size, rng, fg, bg)
    else:
        img = _shape(name, size, rng, fg, bg)
    noise = rng.normal(0, 8, size=img.shape)
    return np.clip(img.astype(np.float64) + noise, 0, 255).astype(np.uint8)


def make(root, train=600, val=180, size=64, seed=0) -> dict:
    """Write the set under ``root``: ``train`` / ``val`` images spread evenly over
    the classes (the first classes get one more when they do not divide). Same
    arguments, same files; returns the counts."""
    if train < len(CLASSES) or val < len(CLASSES):
        raise ValueError(f'train and val need at least one image per class '
                         f'({len(CLASSES)}), got {train} and {val}')
    if size < 32:
        raise ValueError(f'size must be >= 32 pixels, got {size}')

    def per_class(total):
        return [total // len(CLASSES) + (i < total % len(CLASSES)) for i in range(len(CLASSES))]

    rng = np.random.default_rng(seed)
    os.makedirs(osp.join(root, 'val'), exist_ok=True)
    for name, count in zip(CLASSES, per_class(train)):
        folder = osp.join(root, 'train', name)
        os.makedirs(folder, exist_ok=True)
        for i in range(count):
            Image.fromarray(render(name, size, rng)).save(
                osp.join(folder, f'{name}_{i:05d}.JPEG'), quality=95)
    items = [(label, name) for label, (name, count) in enumerate(zip(CLASSES, per_class(val)))
             for _ in range(count)]
    order = rng.permutation(len(items))
    lines = []
    for i, j in enumerate(order):
        label, name = items[j]
        fname = f'val_{i:05d}.JPEG'
        Image.fromarray(render(name, size, rng)).save(osp.join(root, 'val', fname), quality=95)
        lines.append(f'{fname} {label}\n')
    with open(osp.join(root, 'val.txt'), 'w') as f:
        f.writelines(lines)
    with open(osp.join(root, 'classes.txt'), 'w') as f:
        f.writelines(f'{c}\n' for c in CLASSES)
    return dict(classes=len(CLASSES), train=train, val=len(lines))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', default='data/toy_imagenet', help='output folder')
    parser.add_argument('--train', type=int, default=600, help='training images')
    parser.add_argument('--val', type=int, default=180, help='validation images')
    parser.add_argument('--size', type=int, default=64, help='image side in pixels')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    try:
        counts = make(args.out, args.train, args.val, args.size, args.seed)
    except ValueError as err:
        parser.error(str(err))
    print(f"{args.out}: {counts['classes']} classes, {counts['train']} train / "
          f"{counts['val']} val images of {args.size}x{args.size}")


if __name__ == '__main__':
    main()
