#!/usr/bin/env python
"""Make a small seeded semantic-segmentation set in ADE20K's directory layout.

    OUT/images/training/ADE_train_00000001.jpg   RGB scene
    OUT/annotations/training/ADE_train_00000001.png   label map (uint8)
    OUT/images/validation/ADE_val_00000001.jpg, OUT/annotations/validation/...

Label values follow ADE20K's convention, which mmseg reads with
``reduce_zero_label=True``: 0 is "other" and is ignored (it becomes 255), and
``k >= 1`` becomes class ``k - 1``. Here 1 = background and 2.. = shapes:

    CLASSES = ('background', 'disc', 'ring', 'cross')   # after reduction

Every scene is a noisy background (a random colour gradient under strong pixel
noise) with 1-2 shapes of random size, position, rotation, thickness and colour
(weak pixel noise) on top, possibly overlapping, then a few thin "other" scribbles
(label 0). Shape and background colours come from one distribution, so colour says
nothing about the class: a model must learn shape. The three shapes differ in
geometry a convolution can see at every pixel (a filled disc, an annulus around a
hole of background, two crossing bars), not only at their corners: filled circles,
squares and triangles of one size differ only along their outlines, which a few
hundred iterations do not learn (docs/notes/seg.md has the measurements).
Scenes are a function of (seed, split, index).

    python tools/data/make_toy_ade20k.py --out data/toy_ade20k --train 300 --val 50 --size 128
"""
import argparse
import math
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tools/ is not installed

from tools.data.common import gradient

CLASSES = ('background', 'disc', 'ring', 'cross')
PALETTE = [[120, 120, 120], [230, 25, 75], [60, 180, 75], [0, 130, 200]]
OTHER, BACKGROUND, DISC, RING, CROSS = 0, 1, 2, 3, 4
SPLITS = {'training': ('train', 0), 'validation': ('val', 1)}


def _colour(rng):
    return tuple(int(c) for c in rng.integers(0, 256, 3))


def _draw_shape(draws, kind, cx, cy, r, rng):
    """Draws one shape with every (ImageDraw, fill) pair of ``draws``."""
    if kind == DISC:
        for draw, fill in draws:
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fill)
    elif kind == RING:  # band 50-65% of the radius wide: a hole, yet thick at 1/4 scale
        width = max(3, int(round(r * rng.uniform(0.5, 0.65))))
        for draw, fill in draws:
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=fill, width=width)
    else:  # CROSS: two bars of length 2r, each 60-90% of r thick, at a random angle
        half_width, rot = r * rng.uniform(0.3, 0.45), rng.uniform(0, math.pi / 2)
        for a in (rot, rot + math.pi / 2):
            c, s = math.cos(a), math.sin(a)
            bar = [(cx + c * r * u - s * half_width * v, cy + s * r * u + c * half_width * v)
                   for u, v in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
            for draw, fill in draws:
                draw.polygon(bar, fill=fill)


def make_scene(rng, size):
    """One (image HxWx3 uint8, label HxW uint8) pair."""
    label = Image.new('L', (size, size), BACKGROUND)
    shapes = Image.new('RGB', (size, size))
    mask = Image.new('L', (size, size), 0)
    d_shapes, d_mask, d_label = ImageDraw.Draw(shapes), ImageDraw.Draw(mask), ImageDraw.Draw(label)
    for _ in range(rng.integers(1, 3)):
        kind = int(rng.choice([DISC, RING, CROSS]))
        r = rng.uniform(0.22, 0.40) * size
        cx, cy = rng.uniform(r * 0.5, size - r * 0.5, 2)
        colour = _colour(rng)
        _draw_shape(((d_shapes, colour), (d_mask, 255), (d_label, kind)), kind, cx, cy, r, rng)
    m = (np.asarray(mask) > 0)[..., None]
    # texture, not colour, tells things from stuff: strong pixel noise on the
    # background, weak noise on the shapes
    noise = np.where(m, rng.normal(0, 4, (size, size, 3)), rng.normal(0, 20, (size, size, 3)))
    out = np.where(m, np.asarray(shapes, np.float64), gradient(rng, size)) + noise
    img = Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))
    # thin "other" scribbles on top: ADE20K's unlabelled label 0, ignored in loss and metric
    d_img = ImageDraw.Draw(img)
    for _ in range(rng.integers(0, 3)):
        pts = [tuple(rng.uniform(0, size, 2)) for _ in range(3)]
        width = int(rng.integers(2, 5))
        d_img.line(pts, fill=_colour(rng), width=width)
        d_label.line(pts, fill=OTHER, width=width)
    return img, label


def make_split(out, split, count, size, seed):
    prefix, offset = SPLITS[split]
    img_dir, ann_dir = out / 'images' / split, out / 'annotations' / split
    img_dir.mkdir(parents=True, exist_ok=True)
    ann_dir.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        rng = np.random.default_rng([seed, offset, i])
        img, label = make_scene(rng, size)
        name = f'ADE_{prefix}_{i + 1:08d}'
        img.save(img_dir / f'{name}.jpg', quality=95)
        label.save(ann_dir / f'{name}.png')


def make(root, train=300, val=50, size=128, seed=0):
    """Write both splits under ``root``."""
    if train < 1 or val < 1:
        raise ValueError(f'train and val must be >= 1 images, got {train} and {val}')
    if size < 32:
        raise ValueError(f'size must be >= 32 pixels, got {size}')
    make_split(Path(root), 'training', train, size, seed)
    make_split(Path(root), 'validation', val, size, seed)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', default='data/toy_ade20k', help='output root')
    parser.add_argument('--train', type=int, default=300, help='training images')
    parser.add_argument('--val', type=int, default=50, help='validation images')
    parser.add_argument('--size', type=int, default=128, help='image side in pixels')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    try:
        make(args.out, args.train, args.val, args.size, args.seed)
    except ValueError as err:
        parser.error(str(err))
    out = Path(args.out)
    print(f'wrote {args.train} training + {args.val} validation {args.size}x{args.size} '
          f'scenes, classes {CLASSES} (+ 0 = other), to {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
