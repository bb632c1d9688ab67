#!/usr/bin/env python
"""Check a dataset before training on it: every problem named by file, key and value.

OpenMMLab's loaders skip some bad annotations silently (mmdet drops boxes with
non-positive width/height) and fail on others with a bare ``KeyError: 7`` (an
unknown category id). This reads the files only (never writes) and raises a
:class:`DatasetError` that names the file, the offending key or value and the
valid choices.

    .venv/bin/python tools/data/check_dataset.py coco ANN.json --img-dir DIR
    .venv/bin/python tools/data/check_dataset.py seg LABEL_DIR --num-classes 4 [--img-dir DIR]
    .venv/bin/python tools/data/check_dataset.py images DIR

Run it on a dataset before a long training; it exits 1 with the message on the
first problem.
"""
import argparse
import json
import sys
from pathlib import Path

import mmcv
import numpy as np

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp')


class DatasetError(ValueError):
    """A dataset file that cannot be trained on as it is."""


def check_image(path) -> np.ndarray:
    """Decode one image; a missing or undecodable file raises naming it."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f'Image {path} does not exist')
    img = mmcv.imfrombytes(path.read_bytes(), flag='unchanged')
    if img is None:
        raise DatasetError(f'Image {path} ({path.stat().st_size} bytes) cannot be decoded: '
                           'corrupt or not an image')
    return img


def check_images(img_dir) -> int:
    """Decode every image under ``img_dir``; returns how many were checked."""
    paths = sorted(p for p in Path(img_dir).rglob('*') if p.suffix.lower() in IMAGE_SUFFIXES)
    if not paths:
        raise DatasetError(f'No images ({", ".join(IMAGE_SUFFIXES)}) under {img_dir}')
    for p in paths:
        check_image(p)
    return len(paths)


def check_coco(ann_file, img_dir=None) -> dict:
    """Check a COCO-format annotation file (detection, instances or keypoints).

    Every annotation must name a known image and category and have a box of
    positive width and height; with ``img_dir``, every image must decode.
    Returns counts of images, annotations and categories.
    """
    ann_file = Path(ann_file)
    try:
        data = json.loads(ann_file.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise DatasetError(f'Annotation file {ann_file} is not readable JSON: {err}') from err
    for key in ('images', 'annotations', 'categories'):
        if key not in data:
            raise DatasetError(f'Annotation file {ann_file} has no {key!r} list '
                               f'(it has {sorted(data)}); COCO format needs images, '
                               'annotations and categories')
    cat_ids = {c['id']: c.get('name') for c in data['categories']}
    images = {img['id']: img for img in data['images']}
    for ann in data['annotations']:
        where = f"{ann_file}: annotation id {ann.get('id')} (image_id {ann.get('image_id')})"
        if ann.get('category_id') not in cat_ids:
            raise DatasetError(f"{where} has category_id {ann.get('category_id')!r}, which is "
                               f'not among the categories {cat_ids}')
        if ann.get('image_id') not in images:
            raise DatasetError(f'{where} refers to an image id that is not in images')
        bbox = ann.get('bbox')
        if not (isinstance(bbox, list) and len(bbox) == 4):
            raise DatasetError(f'{where} has bbox {bbox!r}; expected [x, y, width, height]')
        if bbox[2] <= 0 or bbox[3] <= 0:
            raise DatasetError(f'{where} has bbox {bbox} with non-positive width or height; '
                               'width and height must be > 0')
    if img_dir is not None:
        for img in data['images']:
            check_image(Path(img_dir) / img['file_name'])
    return dict(images=len(images), annotations=len(data['annotations']), categories=len(cat_ids))


def check_seg_labels(label_dir,
                     num_classes,
                     reduce_zero_label=True,
                     img_dir=None,
                     ignore_index=255) -> int:
    """Check semantic-segmentation label PNGs.

    Valid values: with ``reduce_zero_label`` (ADE20K), 0 (other, ignored) and
    1..num_classes; else 0..num_classes-1; ``ignore_index`` always. With
    ``img_dir``, each label needs an image of the same stem and size.
    Returns how many labels were checked.
    """
    labels = sorted(Path(label_dir).rglob('*.png'))
    if not labels:
        raise DatasetError(f'No label PNGs under {label_dir}')
    valid = set(range(0, num_classes + 1) if reduce_zero_label else range(num_classes))
    valid.add(ignore_index)
    images = {}
    if img_dir is not None:
        images = {p.stem: p for p in Path(img_dir).rglob('*') if p.suffix.lower() in IMAGE_SUFFIXES}
    for path in labels:
        label = check_image(path)
        if label.ndim != 2:
            raise DatasetError(f'Label {path} has shape {label.shape}; labels are single-'
                               'channel PNGs of class indices')
        bad = sorted(set(np.unique(label).tolist()) - valid)
        if bad:
            lo, hi = min(valid - {ignore_index}), max(valid - {ignore_index})
            raise DatasetError(f'Label {path} holds values {bad[:10]} outside the valid '
                               f'classes {lo}..{hi} (and ignore index {ignore_index}); '
                               f'num_classes={num_classes}, reduce_zero_label='
                               f'{reduce_zero_label}')
        if img_dir is not None:
            if path.stem not in images:
                raise DatasetError(f'Label {path} has no image {path.stem}.* in {img_dir}')
            img = check_image(images[path.stem])
            if img.shape[:2] != label.shape:
                raise DatasetError(f'Label {path} is {label.shape} but its image '
                                   f'{images[path.stem]} is {img.shape[:2]}')
    return len(labels)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    sub = parser.add_subparsers(dest='kind', required=True)
    coco = sub.add_parser('coco', help='a COCO-format annotation file')
    coco.add_argument('ann_file')
    coco.add_argument('--img-dir')
    seg = sub.add_parser('seg', help='a folder of semantic-segmentation label PNGs')
    seg.add_argument('label_dir')
    seg.add_argument('--num-classes', type=int, required=True)
    seg.add_argument('--no-reduce-zero-label', dest='reduce_zero_label', action='store_false')
    seg.add_argument('--img-dir')
    images = sub.add_parser('images', help='every image under a folder decodes')
    images.add_argument('img_dir')
    args = parser.parse_args(argv)
    try:
        if args.kind == 'coco':
            print(f'{args.ann_file}: ok, {check_coco(args.ann_file, args.img_dir)}')
        elif args.kind == 'seg':
            n = check_seg_labels(args.label_dir, args.num_classes, args.reduce_zero_label,
                                 args.img_dir)
            print(f'{args.label_dir}: ok, {n} labels')
        else:
            print(f'{args.img_dir}: ok, {check_images(args.img_dir)} images')
    except DatasetError as err:
        print(f'check_dataset: {err}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
