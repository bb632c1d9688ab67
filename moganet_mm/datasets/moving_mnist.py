# Copyright (c) moganet_mm authors. Licensed under the Apache License 2.0.
"""Moving MNIST (and Moving MNIST-CIFAR) clips, made as OpenSTL makes them.

Srivastava et al. 2015; OpenSTL's ``openstl/datasets/dataloader_moving_mnist.py``.
A clip is ``n_frames`` frames of ``image_size`` x ``image_size``: each of
``num_digits`` 28x28 MNIST digits starts at a uniform random position, moves in a
uniform random direction by ``step_length`` of the free canvas per frame, bounces
off the borders, and is drawn with a pixel-wise max. On MNIST-CIFAR the canvas is a
CIFAR-10 image resized (bicubic) to the frame size, and the digits, binarised to
255, are drawn over it on all three channels.

Files read here:

- MNIST idx image files (``train-images-idx3-ubyte[.gz]``, ``t10k-...``), or a
  ``.npy`` array of 28x28 uint8 digits;
- the standard fixed test clips ``mnist_test_seq.npy`` (20, N, 64, 64) and
  ``mnist_cifar_test_seq.npy`` (20, N, 64, 64, 3), uint8, and clips written in the
  same layout by ``tools/data/moving_mnist.py``;
- CIFAR-10 in its python (``cifar-10-batches-py``, what torchvision downloads) or
  binary (``cifar-10-batches-bin``) release, or a ``.npy`` of 32x32x3 uint8 images.
"""
import gzip
import json
import os
import os.path as osp
import pickle
from typing import Optional, Tuple

import cv2
import numpy as np
import torch
from mmengine.registry import DATASETS
from torch.utils.data import Dataset

__all__ = ['MovingMNIST', 'MovingMNISTGenerator', 'load_mnist_digits', 'load_cifar10', 'load_clips']

DIGIT_SIZE = 28


def load_mnist_digits(path: str) -> np.ndarray:
    """(N, 28, 28) uint8 digits from an MNIST idx image file (gzipped or not) or a
    ``.npy`` array."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'MNIST digits file {path!r} does not exist')
    if path.endswith('.npy'):
        digits = np.load(path, allow_pickle=False)
    else:
        opener = gzip.open if path.endswith('.gz') else open
        with opener(path, 'rb') as f:
            raw = f.read()
        magic = int.from_bytes(raw[:4], 'big')
        if magic != 2051 or len(raw) < 16:
            raise ValueError(f'{path!r} is not an MNIST idx image file (magic {magic}, '
                             'expected 2051; the labels file has 2049)')
        count, rows, cols = (int(v) for v in np.frombuffer(raw[4:16], '>u4'))
        if len(raw) != 16 + count * rows * cols:
            raise ValueError(f'{path!r}: {len(raw) - 16} bytes of pixels, but the header says '
                             f'{count} images of {rows}x{cols}; is the file truncated?')
        digits = np.frombuffer(raw, np.uint8, offset=16).reshape(count, rows, cols)
    if digits.ndim != 3 or digits.shape[1:] != (DIGIT_SIZE, DIGIT_SIZE) or digits.dtype != np.uint8:
        raise ValueError(f'{path!r}: expected (N, 28, 28) uint8 digits, got '
                         f'{digits.shape} {digits.dtype}')
    return digits


class _ArraysOnly(pickle.Unpickler):
    """Reads CIFAR-10's python batches as data: numpy arrays and builtins only."""
    ALLOWED = {('numpy.core.multiarray', '_reconstruct'), ('numpy', 'ndarray'), ('numpy', 'dtype'),
               ('numpy._core.multiarray', '_reconstruct')}

    def find_class(self, module, name):
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f'CIFAR-10 batch refers to {module}.{name}; refusing '
                                     'to load it (only numpy arrays are expected)')


def load_cifar10(root: str, train: bool = True) -> np.ndarray:
    """(N, 32, 32, 3) uint8 CIFAR-10 images: the five training batches or the test
    batch, from ``root`` holding (or being) ``cifar-10-batches-py`` or
    ``cifar-10-batches-bin``; or a ``.npy`` array of such images."""
    if root.endswith('.npy') and osp.isfile(root):
        images = np.load(root, allow_pickle=False)
    else:
        names = [f'data_batch_{i}' for i in range(1, 6)] if train else ['test_batch']
        found = None
        for sub in ('', 'cifar-10-batches-py', 'cifar-10-batches-bin'):
            folder = osp.join(root, sub)
            if osp.isfile(osp.join(folder, names[0])):
                found = ('py', folder)
                break
            if osp.isfile(osp.join(folder, names[0] + '.bin')):
                found = ('bin', folder)
                break
        if found is None:
            raise FileNotFoundError(
                f'CIFAR-10 not found under {root!r}: Moving MNIST-CIFAR draws its backgrounds '
                'from CIFAR-10, which is not shipped here. Put the python release '
                '(cifar-10-batches-py/data_batch_1..5, test_batch) or the binary release '
                '(cifar-10-batches-bin) there, or pass a .npy of (N, 32, 32, 3) uint8 images')
        kind, folder = found
        parts = []
        for name in names:
            if kind == 'py':
                with open(osp.join(folder, name), 'rb') as f:
                    batch = _ArraysOnly(f, encoding='latin1').load()
                parts.append(np.asarray(batch['data'], np.uint8).reshape(-1, 3, 32, 32))
            else:
                raw = np.fromfile(osp.join(folder, name + '.bin'), np.uint8)
                parts.append(raw.reshape(-1, 1 + 3 * 32 * 32)[:, 1:].reshape(-1, 3, 32, 32))
        images = np.concatenate(parts).transpose(0, 2, 3, 1)
    if images.ndim != 4 or images.shape[1:] != (32, 32, 3) or images.dtype != np.uint8:
        raise ValueError(f'{root!r}: expected (N, 32, 32, 3) uint8 images, got '
                         f'{images.shape} {images.dtype}')
    return np.ascontiguousarray(images)


def load_clips(path: str) -> np.ndarray:
    """Fixed clips in OpenSTL's layout, (frames, N, H, W) or (frames, N, H, W, 3) uint8."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'Moving MNIST clips file {path!r} does not exist')
    clips = np.load(path, mmap_mode='r', allow_pickle=False)
    if clips.dtype != np.uint8 or clips.ndim not in (4, 5) or \
            (clips.ndim == 5 and clips.shape[-1] != 3):
        raise ValueError(f'{path!r}: expected uint8 clips of shape (frames, N, H, W) or '
                         f'(frames, N, H, W, 3) (mnist_test_seq.npy layout), got '
                         f'{clips.shape} {clips.dtype}')
    return clips


class MovingMNISTGenerator:
    """Draws Moving MNIST clips exactly as OpenSTL's ``MovingMNIST`` does, from a
    ``numpy.random.Generator`` instead of Python's ``random``.

    Args:
        digits (np.ndarray): (N, 28, 28) uint8 digit pool.
        image_size (int): Frame side. Defaults to 64.
        num_digits (int): Digits per clip. Defaults to 2.
        n_frames (int): Frames per clip. Defaults to 20 (10 in, 10 out).
        step_length (float): Step per frame as a fraction of the free canvas.
        backgrounds (np.ndarray, optional): (M, h, w, 3) uint8 images (CIFAR-10)
            for Moving MNIST-CIFAR; clips are then (T, H, W, 3).
    """

    def __init__(self,
                 digits: np.ndarray,
                 image_size: int = 64,
                 num_digits: int = 2,
                 n_frames: int = 20,
                 step_length: float = 0.1,
                 backgrounds: Optional[np.ndarray] = None):
        if image_size <= DIGIT_SIZE:
            raise ValueError(
                f'image_size must exceed the digit size {DIGIT_SIZE}, got {image_size}')
        if len(digits) == 0:
            raise ValueError('The digit pool is empty')
        self.digits = digits
        self.image_size = image_size
        self.num_digits = num_digits
        self.n_frames = n_frames
        self.step_length = step_length
        self.backgrounds = backgrounds

    def trajectory(self, rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray]:
        """Top-left (y, x) pixel positions of one digit over the clip."""
        canvas = self.image_size - DIGIT_SIZE
        x, y = rng.random(), rng.random()
        theta = rng.random() * 2 * np.pi
        v_y, v_x = np.sin(theta), np.cos(theta)
        bounce_x = bounce_y = 1
        ys, xs = np.zeros(self.n_frames), np.zeros(self.n_frames)
        for i in range(self.n_frames):
            # step, then clamp to the canvas and reverse the direction on a border
            y += bounce_y * v_y * self.step_length
            x += bounce_x * v_x * self.step_length
            if x <= 0:
                x, bounce_x = 0, -bounce_x
            if x >= 1.0:
                x, bounce_x = 1.0, -bounce_x
            if y <= 0:
                y, bounce_y = 0, -bounce_y
            if y >= 1.0:
                y, bounce_y = 1.0, -bounce_y
            ys[i], xs[i] = y, x
        return (canvas * ys).astype(np.int32), (canvas * xs).astype(np.int32)

    def sample(self, rng: np.random.Generator) -> np.ndarray:
        """One clip, uint8: (T, H, W), or (T, H, W, 3) with backgrounds."""
        size, t = self.image_size, self.n_frames
        if self.backgrounds is None:
            clip = np.zeros((t, size, size), np.uint8)
        else:
            back = self.backgrounds[rng.integers(len(self.backgrounds))]
            back = cv2.resize(back, (size, size), interpolation=cv2.INTER_CUBIC)
            clip = np.repeat(back[None], t, axis=0)
        for _ in range(self.num_digits):
            ys, xs = self.trajectory(rng)
            digit = self.digits[rng.integers(len(self.digits))].copy()
            if self.backgrounds is not None:
                digit[digit > 1] = 255  # OpenSTL binarises digits over a background
                digit = digit[..., None]
            for i in range(t):
                window = clip[i, ys[i]:ys[i] + DIGIT_SIZE, xs[i]:xs[i] + DIGIT_SIZE]
                np.maximum(window, digit, out=window)
        return clip


def _to_frames(clip: np.ndarray) -> torch.Tensor:
    """uint8 (T, H, W) or (T, H, W, 3) -> float32 (T, C, H, W) in [0, 1]."""
    clip = clip[:, None] if clip.ndim == 3 else clip.transpose(0, 3, 1, 2)
    return torch.from_numpy(np.ascontiguousarray(clip)).float().div_(255.)


@DATASETS.register_module()
class MovingMNIST(Dataset):
    """Moving MNIST clips split into ``n_frames_input`` past and
    ``n_frames_output`` future frames.

    Give exactly one of:

    - ``clips_file``: fixed clips (the test set, e.g. ``mnist_test_seq.npy``);
    - ``digits_file``: clips drawn afresh on every access from these digits (the
      training set, as OpenSTL trains), ``num_sequences`` per epoch (None: the
      ``train`` count of the ``moving_mnist.json`` that ``tools/data/moving_mnist.py``
      wrote in ``data_root``, else OpenSTL's 10,000); with ``backgrounds``
      (CIFAR-10) they are Moving MNIST-CIFAR clips.

    Items are ``dict(inputs=(T_in, C, H, W), data_samples=(T_out, C, H, W))``
    float32 in [0, 1], C = 1 (or 3 with backgrounds). Drawn clips use a generator
    seeded per data-loader worker from torch's seed, which MMEngine's Runner seeds,
    so that workers never repeat each other's clips.
    """

    def __init__(self,
                 clips_file: Optional[str] = None,
                 digits_file: Optional[str] = None,
                 backgrounds: Optional[str] = None,
                 num_sequences: Optional[int] = None,
                 n_frames_input: int = 10,
                 n_frames_output: int = 10,
                 image_size: int = 64,
                 num_digits: int = 2,
                 data_root: str = ''):
        if (clips_file is None) == (digits_file is None):
            raise ValueError(
                'MovingMNIST needs exactly one of clips_file (fixed clips) and '
                f'digits_file (clips drawn on the fly); got clips_file={clips_file!r}, '
                f'digits_file={digits_file!r}')
        self.n_frames_input, self.n_frames_output = n_frames_input, n_frames_output
        total = n_frames_input + n_frames_output
        self.clips = self.generator = None
        if clips_file is not None:
            if backgrounds is not None:
                raise ValueError('backgrounds apply to drawn clips (digits_file) only; fixed '
                                 'clips already hold theirs')
            self.clips = load_clips(osp.join(data_root, clips_file))
            if self.clips.shape[0] < total:
                raise ValueError(f'{clips_file}: clips have {self.clips.shape[0]} frames, fewer '
                                 f'than {n_frames_input} + {n_frames_output}')
            self.image_size = self.clips.shape[2]
            self.channels = 1 if self.clips.ndim == 4 else 3
        else:
            if num_sequences is None:
                num_sequences = 10000  # OpenSTL's epoch
                meta = osp.join(data_root, 'moving_mnist.json')
                if osp.isfile(meta):
                    with open(meta) as f:
                        num_sequences = json.load(f)['train']
            if num_sequences < 1:
                raise ValueError(f'num_sequences must be >= 1, got {num_sequences}')
            digits = load_mnist_digits(osp.join(data_root, digits_file))
            backs = (
                load_cifar10(osp.join(data_root, backgrounds), train=True)
                if backgrounds is not None else None)
            self.generator = MovingMNISTGenerator(
                digits, image_size, num_digits, total, backgrounds=backs)
            self.num_sequences = num_sequences
            self.image_size = image_size
            self.channels = 1 if backs is None else 3
        self._rng, self._rng_owner = None, None

    @property
    def metainfo(self) -> dict:
        return dict(
            image_size=self.image_size,
            channels=self.channels,
            n_frames_input=self.n_frames_input,
            n_frames_output=self.n_frames_output,
            fixed_clips=self.clips is not None)

    def __len__(self) -> int:
        return self.clips.shape[1] if self.clips is not None else self.num_sequences

    def _worker_rng(self) -> np.random.Generator:
        info = torch.utils.data.get_worker_info()
        owner = (os.getpid(), info.id if info is not None else None)
        if self._rng_owner != owner:
            self._rng = np.random.default_rng(torch.initial_seed())
            self._rng_owner = owner
        return self._rng

    def clip(self, index: int) -> np.ndarray:
        """The uint8 clip ``index`` (drawn afresh for drawn clips)."""
        if self.clips is not None:
            return np.asarray(self.clips[:, index])
        return self.generator.sample(self._worker_rng())

    def __getitem__(self, index: int) -> dict:
        if not 0 <= index < len(self):
            raise IndexError(f'clip {index} out of range 0..{len(self) - 1}')
        frames = _to_frames(self.clip(index))
        t_in, t_out = self.n_frames_input, self.n_frames_output
        return dict(inputs=frames[:t_in], data_samples=frames[t_in:t_in + t_out])
