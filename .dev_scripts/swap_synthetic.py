"""Small synthetic batches in each codebase's own data format (packed inputs plus
the codebase's data samples), for one training step and one predict on the CPU.

Each builder returns ``dict(inputs=[uint8 (3, H, W) tensors], data_samples=[...])``,
what the codebase's data loaders give its ``data_preprocessor``. Targets are random
but valid: boxes inside the image, masks inside the boxes, labels below the model's
number of classes, keypoints inside the person box.
"""
from typing import Dict, List

import numpy as np
import torch
from mmengine.structures import PixelData


def _images(rng, batch, size) -> List[torch.Tensor]:
    h, w = size
    return [torch.from_numpy(rng.randint(0, 256, (3, h, w), dtype=np.uint8)) for _ in range(batch)]


def num_classes_of(model_cfg, default: int = 10) -> int:
    """The first ``num_classes`` found in the heads (depth-first, config order)."""

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get('num_classes'), int):
                yield node['num_classes']
            for k, v in node.items():
                if k not in ('backbone', 'data_preprocessor'):
                    yield from walk(v)
        elif isinstance(node, (list, tuple)):
            for v in node:
                yield from walk(v)

    return next(walk(model_cfg), default)


def needs_masks(model_cfg) -> bool:
    """Whether a detector predicts masks: a ``mask`` in any key or type of its heads."""

    def walk(node):
        if isinstance(node, dict):
            return any(('mask' in str(k).lower() and k != 'data_preprocessor') or (
                k == 'type' and 'mask' in str(v).lower()) or (k != 'data_preprocessor' and walk(v))
                       for k, v in node.items())
        if isinstance(node, (list, tuple)):
            return any(walk(v) for v in node)
        return False

    return walk(model_cfg)


def det_batch(model_cfg, size=(128, 128), batch=2, seed=0) -> Dict:
    """mmdet: DetDataSamples with boxes, labels, bitmap masks for models that predict
    masks (and, for panoptic models, a semantic map), from mmdet's own
    ``demo_mm_inputs``."""
    from mmdet.testing import demo_mm_inputs
    head = model_cfg.get('panoptic_head') or {}
    panoptic = bool(head.get('num_stuff_classes'))
    num_classes = num_classes_of(model_cfg)
    if panoptic:
        num_classes = head['num_things_classes'] + head['num_stuff_classes']
    data = demo_mm_inputs(
        batch_size=batch,
        image_shapes=(3, *size),
        num_items=[3] * batch,
        num_classes=min(num_classes, 10),
        with_mask=needs_masks(model_cfg),
        with_semantic=panoptic,
        sem_seg_output_strides=1)
    rng = np.random.RandomState(seed)
    data['inputs'] = _images(rng, batch, size)
    for sample in data['data_samples']:
        sample.set_metainfo(dict(scale_factor=(1.0, 1.0), img_path='<synthetic>.png'))
        if panoptic:  # things and stuff ids, 255 = ignore
            sem = rng.randint(0, num_classes, (1, *size)).astype(np.int64)
            sample.gt_sem_seg.sem_seg = torch.from_numpy(sem)
    return data


def seg_batch(model_cfg, size=(128, 128), batch=2, seed=0) -> Dict:
    """mmseg: SegDataSamples with a semantic map (255 = ignored pixels)."""
    from mmseg.structures import SegDataSample
    rng = np.random.RandomState(seed)
    num_classes = num_classes_of(model_cfg)
    samples = []
    for _ in range(batch):
        seg = rng.randint(0, num_classes, (1, *size)).astype(np.int64)
        seg[:, :4] = 255
        sample = SegDataSample(gt_sem_seg=PixelData(data=torch.from_numpy(seg)))
        sample.set_metainfo(
            dict(
                img_shape=size,
                ori_shape=size,
                pad_shape=size,
                scale_factor=(1.0, 1.0),
                flip=False,
                img_path='<synthetic>',
                reduce_zero_label=False))
        samples.append(sample)
    return dict(inputs=_images(rng, batch, size), data_samples=samples)


def cls_batch(model_cfg, size=(64, 64), batch=2, seed=0) -> Dict:
    """mmpretrain: DataSamples with one label each."""
    from mmpretrain.structures import DataSample
    rng = np.random.RandomState(seed)
    num_classes = num_classes_of(model_cfg, 1000)
    samples = [
        DataSample(metainfo=dict(img_shape=size, ori_shape=size)).set_gt_label(
            int(rng.randint(num_classes))) for _ in range(batch)
    ]
    return dict(inputs=_images(rng, batch, size), data_samples=samples)
