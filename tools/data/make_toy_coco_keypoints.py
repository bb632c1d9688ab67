#!/usr/bin/env python
"""Seeded generator of a toy COCO-keypoints dataset of rendered articulated figures.

Each image holds 1-3 "mannequins" with the 17 COCO keypoints (nose, eyes, ears,
shoulders, elbows, wrists, hips, knees, ankles), rendered front-facing (the
person's left on the image's right, as COCO's front views) on a noisy gradient
background with distractor strokes. What makes it more than a toy pattern:

- figures vary 3x in scale (torso length size/12 .. size/4), in limb lengths,
  limb thickness, torso tilt, arm/leg angles, elbow/knee bends and head yaw;
- figures may overlap: keypoints covered by a figure drawn later are labelled
  but not visible (v=1), the top-down crop of one figure contains the others;
- about a quarter of the figures are placed across the image border: keypoints
  outside the image are unlabelled (v=0, x=y=0), as COCO does;
- distractor strokes (lines, polylines, circles, in the figures' palette) clutter
  the background.

Annotations follow COCO: ``bbox`` is the box of the figure's silhouette inside
the image, ``area`` the silhouette's pixel count (OKS uses it as the object
scale), ``num_keypoints`` the labelled ones. Layout::

    OUT/annotations/person_keypoints_{train,val}.json
    OUT/{train,val}/000000.png ...

    python tools/data/make_toy_coco_keypoints.py --out data/toy_coco_kpts \
        --train 600 --val 100 --size 256 --seed 0
"""
import argparse
import json
import math
import os
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tools/ is not installed

from tools.data.common import gradient

KEYPOINTS = [
    'nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear', 'left_shoulder', 'right_shoulder',
    'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist', 'left_hip', 'right_hip', 'left_knee',
    'right_knee', 'left_ankle', 'right_ankle'
]
KP = {n: i for i, n in enumerate(KEYPOINTS)}
# COCO's skeleton (1-based keypoint ids), as in person_keypoints_*.json
SKELETON = [[16, 14], [14, 12], [17, 15], [15, 13], [12, 13], [6, 12], [7, 13], [6, 7], [6, 8],
            [7, 9], [8, 10], [9, 11], [2, 3], [1, 2], [1, 3], [2, 4], [3, 5], [4, 6], [5, 7]]
LIMBS = [('left_shoulder', 'left_elbow'), ('left_elbow', 'left_wrist'),
         ('right_shoulder', 'right_elbow'), ('right_elbow', 'right_wrist'),
         ('left_hip', 'left_knee'), ('left_knee', 'left_ankle'), ('right_hip', 'right_knee'),
         ('right_knee', 'right_ankle')]


def _rot(v, a):
    c, s = math.cos(a), math.sin(a)
    return np.array([c * v[0] - s * v[1], s * v[0] + c * v[1]])


def sample_pose(rng, torso):
    """Keypoints (17, 2) of one figure around its neck at (0, 0), y pointing down.

    ``torso`` is the neck-to-hip length; every other length is a random fraction
    of it. Returns the keypoints and the head (centre, radius).
    """
    tilt = math.radians(rng.uniform(-15, 15))
    down = _rot(np.array([0., 1.]), tilt)  # along the torso, neck -> hips
    side = _rot(np.array([1., 0.]), tilt)  # towards the person's left (image right)
    neck = np.zeros(2)
    hip_c = neck + torso * down
    k = np.zeros((17, 2))
    sw, hw = torso * rng.uniform(0.55, 0.85), torso * rng.uniform(0.35, 0.6)
    k[KP['left_shoulder']], k[KP['right_shoulder']] = neck + sw / 2 * side, neck - sw / 2 * side
    k[KP['left_hip']], k[KP['right_hip']] = hip_c + hw / 2 * side, hip_c - hw / 2 * side
    for s, sign in (('left', 1), ('right', -1)):
        # arms: upper arm swings outwards from hanging down (-25..160 deg), elbow bends
        a1 = math.radians(rng.uniform(-25, 160))
        a2 = a1 + math.radians(rng.uniform(-20, 130))
        u, f = torso * rng.uniform(0.4, 0.65), torso * rng.uniform(0.35, 0.6)
        e = k[KP[f'{s}_shoulder']] + u * _rot(down, -sign * a1)
        k[KP[f'{s}_elbow']], k[KP[f'{s}_wrist']] = e, e + f * _rot(down, -sign * a2)
        # legs: thigh swings outwards (-15..50 deg), knee bends either way
        b1 = math.radians(rng.uniform(-15, 50))
        b2 = b1 + math.radians(rng.uniform(-50, 30))
        t, c = torso * rng.uniform(0.5, 0.75), torso * rng.uniform(0.45, 0.7)
        kn = k[KP[f'{s}_hip']] + t * _rot(down, -sign * b1)
        k[KP[f'{s}_knee']], k[KP[f'{s}_ankle']] = kn, kn + c * _rot(down, -sign * b2)
    r = torso * rng.uniform(0.17, 0.24)
    head = neck - (r + torso * rng.uniform(0.08, 0.15)) * down
    yaw = rng.uniform(-0.45, 0.45)  # head turn shifts the face sideways
    face = head + r * (yaw * side + 0.1 * down)
    k[KP['nose']] = face + 0.25 * r * down
    k[KP['left_eye']] = face + 0.38 * r * side - 0.3 * r * down
    k[KP['right_eye']] = face - 0.38 * r * side - 0.3 * r * down
    k[KP['left_ear']] = head + r * (0.95 - 0.3 * max(yaw, 0)) * side
    k[KP['right_ear']] = head - r * (0.95 + 0.3 * min(yaw, 0)) * side
    return k, (head, r)


def _pt(p):
    return int(round(p[0] * 16)), int(round(p[1] * 16))


def render_figure(canvas, mask, k, head, color, thick, rng):
    """Draws one mannequin on ``canvas`` and its silhouette on ``mask`` (uint8)."""
    dark = tuple(int(c * 0.45) for c in color)
    light = tuple(int(min(255, c * 0.5 + 140)) for c in color)
    sh = 4  # cv2 sub-pixel shift: coordinates are in 1/16 px
    for img, col, jcol in ((canvas, color, dark), (mask, 255, 255)):
        torso = np.array(
            [_pt(k[KP[n]]) for n in ('left_shoulder', 'left_hip', 'right_hip', 'right_shoulder')])
        cv2.fillPoly(img, [torso], col, cv2.LINE_AA, sh)
        neck = (k[KP['left_shoulder']] + k[KP['right_shoulder']]) / 2
        cv2.line(img, _pt(neck), _pt(head[0]), col, max(2, int(thick)), cv2.LINE_AA, sh)
        for a, b in LIMBS:
            cv2.line(img, _pt(k[KP[a]]), _pt(k[KP[b]]), col, max(2, int(thick)), cv2.LINE_AA, sh)
        for n in ('left_elbow', 'right_elbow', 'left_wrist', 'right_wrist', 'left_knee',
                  'right_knee', 'left_ankle', 'right_ankle'):
            cv2.circle(img, _pt(k[KP[n]]), int(16 * max(1.5, 0.6 * thick)), jcol, -1, cv2.LINE_AA,
                       sh)
        cv2.circle(img, _pt(head[0]), int(16 * head[1]), col, -1, cv2.LINE_AA, sh)
    # eyes, nose and ears a fifth of the head radius: seen at the 64x48 heatmap scale
    er = max(1.0, 0.2 * head[1])
    for n in ('left_eye', 'right_eye', 'nose'):
        cv2.circle(canvas, _pt(k[KP[n]]), int(16 * er), dark, -1, cv2.LINE_AA, sh)
    for n in ('left_ear', 'right_ear'):
        cv2.circle(canvas, _pt(k[KP[n]]), int(16 * er * 1.3), light, -1, cv2.LINE_AA, sh)


def background(rng, size):
    """A random two-colour gradient with Gaussian noise (uint8)."""
    img = gradient(rng, size, 40, 215) + rng.normal(0, 8, (size, size, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def distractors(img, rng, size, palette):
    """3-8 strokes (lines, polylines, circles) in colours the figures also use."""
    for _ in range(rng.integers(3, 9)):
        col = palette[rng.integers(len(palette))]
        col = tuple(int(c) for c in np.clip(np.array(col) + rng.normal(0, 25, 3), 0, 255))
        th = int(rng.integers(2, max(3, size // 40)))
        kind = rng.integers(3)
        if kind == 0:
            p, q = rng.uniform(0, size, 2), rng.uniform(0, size, 2)
            cv2.line(img, _pt(p), _pt(q), col, th, cv2.LINE_AA, 4)
        elif kind == 1:
            pts = np.cumsum(rng.normal(0, size / 8, (int(rng.integers(3, 6)), 2)), 0)
            pts += rng.uniform(0, size, 2)
            cv2.polylines(img, [np.array([_pt(p) for p in pts])], False, col, th, cv2.LINE_AA, 4)
        else:
            cv2.circle(img, _pt(rng.uniform(0, size, 2)), int(16 * rng.uniform(3, size / 10)), col,
                       th, cv2.LINE_AA, 4)


PALETTE = [(200, 60, 60), (60, 160, 60), (60, 80, 200), (200, 170, 40), (160, 60, 180),
           (40, 170, 180), (230, 120, 40), (120, 120, 120)]


def make_image(rng, size, p_truncate=0.25):
    """One image (H, W, 3 uint8 BGR) and its list of person annotations (dicts)."""
    img = background(rng, size)
    distractors(img, rng, size, PALETTE)
    n = int(rng.integers(1, 4))
    figs = []
    for _ in range(n):
        torso = rng.uniform(size / 12, size / 4)
        k, head = sample_pose(rng, torso)
        lo, hi = k.min(0), k.max(0)
        lo, hi = np.minimum(lo, head[0] - head[1]), np.maximum(hi, head[0] + head[1])
        half = (hi - lo) / 2 + 2
        centre = np.array([
            rng.uniform(min(half[i], size / 2), max(size - half[i], size / 2)) for i in range(2)
        ])  # fully inside (if it fits)
        if rng.random() < p_truncate:  # across one border: 15-85% of its extent outside
            axis, far = int(rng.integers(2)), int(rng.integers(2))
            off = rng.uniform(-0.7, 0.7) * half[axis]
            centre[axis] = (size if far else 0) + (off if far else -off)
        shift = centre - (lo + hi) / 2
        k, head = k + shift, (head[0] + shift, head[1])
        # limbs about as thick, relative to the body, as a person's: the silhouette area
        # (OKS's scale) then covers ~40% of the box, near COCO persons' ratio
        thick = torso * rng.uniform(0.2, 0.32)
        color = PALETTE[rng.integers(len(PALETTE))]
        mask = np.zeros((size, size), np.uint8)
        render_figure(img, mask, k, head, color, thick, rng)
        figs.append((k, mask))
    anns = []
    for i, (k, mask) in enumerate(figs):
        # what later figures cover is hidden
        cover = np.zeros_like(mask)
        for _, m in figs[i + 1:]:
            cover |= m
        ys, xs = np.nonzero(mask)
        if len(xs) == 0:
            continue
        kps = []
        for x, y in k:
            if not (0 <= x < size and 0 <= y < size):
                kps += [0, 0, 0]
            else:
                v = 1 if cover[int(y), int(x)] else 2
                kps += [round(float(x), 2), round(float(y), 2), v]
        visible_px = int(((mask > 127) & (cover == 0)).sum())
        x0, y0, x1, y1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
        num = sum(1 for v in kps[2::3] if v > 0)
        if num == 0 or visible_px == 0:
            continue
        anns.append(
            dict(
                keypoints=kps,
                num_keypoints=num,
                iscrowd=0,
                category_id=1,
                bbox=[int(x0), int(y0), int(x1 - x0), int(y1 - y0)],
                area=float((mask > 127).sum())))
    return img, anns


def make_split(out, split, num, size, seed):
    """Writes ``num`` images of ``split`` and its COCO json; returns the json dict."""
    rng = np.random.default_rng([seed, {'train': 0, 'val': 1}[split]])
    (out / split).mkdir(parents=True, exist_ok=True)
    images, annotations = [], []
    for i in range(num):
        img, anns = make_image(rng, size)
        name = f'{i:06d}.png'
        cv2.imwrite(str(out / split / name), img)
        images.append(dict(id=i, file_name=name, width=size, height=size))
        for a in anns:
            annotations.append(dict(a, id=len(annotations) + 1, image_id=i))
    coco = dict(
        images=images,
        annotations=annotations,
        categories=[
            dict(
                id=1, name='person', supercategory='person', keypoints=KEYPOINTS, skeleton=SKELETON)
        ])
    (out / 'annotations').mkdir(parents=True, exist_ok=True)
    tmp = out / 'annotations' / f'.person_keypoints_{split}.json.tmp'
    tmp.write_text(json.dumps(coco))
    os.replace(tmp, out / 'annotations' / f'person_keypoints_{split}.json')
    return coco


def make(root, train=860, val=60, size=256, seed=0):
    """Write both splits under ``root``; returns {split: number of persons}."""
    if train < 1 or val < 1:
        raise ValueError(f'train and val must be >= 1 images, got {train} and {val}')
    if size < 64:
        raise ValueError(f'size must be >= 64 pixels, got {size}')
    return {
        split: len(make_split(Path(root), split, num, size, seed)['annotations'])
        for split, num in (('train', train), ('val', val))
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--out', default='data/toy_coco_kpts', help='output folder')
    p.add_argument('--train', type=int, default=860, help='number of training images')
    p.add_argument('--val', type=int, default=60, help='number of validation images')
    p.add_argument('--size', type=int, default=256, help='image side in pixels')
    p.add_argument('--seed', type=int, default=0)
    args = p.parse_args(argv)
    try:
        persons = make(args.out, args.train, args.val, args.size, args.seed)
    except ValueError as err:
        p.error(str(err))
    for split, num in (('train', args.train), ('val', args.val)):
        print(f'{split}: {num} images, {persons[split]} persons -> '
              f'{Path(args.out) / "annotations" / f"person_keypoints_{split}.json"}')


if __name__ == '__main__':
    main()
