"""mmpose batches: synthetic people run through the tail of the config's own
training pipeline (its ``GenerateTarget`` with the config's codec, heatmap masks,
``PackPoseInputs``), so every head gets the targets its codec makes; or through the
tail of its val pipeline, which packs what ``predict`` reads (the person boxes that
a codec's own packing table, e.g. InterNet's ``Hand3DHeatmap``, leaves out)."""
from typing import Dict

import numpy as np
from mmcv.transforms import Compose
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

#: pipeline steps that turn annotations into targets; the image loading and
#: augmentation steps before them are replaced by the synthetic image
TARGET_STEPS = ('FilterAnnotations', 'GenerateTarget', 'BottomupGetHeatmapMask', 'PackPoseInputs')


def _pipeline(cfg, loader='train_dataloader'):
    dataset = cfg[loader].dataset
    while 'pipeline' not in dataset and 'dataset' in dataset:  # dataset wrappers
        dataset = dataset.dataset
    if 'pipeline' not in dataset and 'datasets' in dataset:  # CombinedDataset
        return cfg[loader].dataset.pipeline, dataset.datasets[0]
    return dataset.pipeline, dataset


def _metainfo(dataset_cfg):
    """Keypoint count and flip indices of the config's dataset."""
    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    from mmpose.registry import DATASETS
    meta = dataset_cfg.get('metainfo')
    if meta is None:
        meta = DATASETS.get(dataset_cfg.type).METAINFO
    info = parse_pose_metainfo(dict(meta))
    return info['num_keypoints'], list(info['flip_indices'])


def pose_batch(cfg, batch: int = 2, seed: int = 0, split: str = 'train') -> Dict:
    """``batch`` synthetic people through the ``split`` ('train' or 'val') pipeline's
    tail; the input size is the training codec's."""
    init_default_scope('mmpose')
    pipeline, dataset_cfg = _pipeline(cfg)
    num_kpts, flip_indices = _metainfo(dataset_cfg)
    steps = [t for t in pipeline if t['type'] in TARGET_STEPS]
    if not any(t['type'] == 'GenerateTarget' for t in steps):
        raise ValueError('the config\'s train pipeline makes no targets (no GenerateTarget)')
    codec = next(t['encoder'] for t in steps if t['type'] == 'GenerateTarget')
    if split == 'val':
        steps = [t for t in _pipeline(cfg, 'val_dataloader')[0] if t['type'] in TARGET_STEPS]
    size = codec.get('input_size') or codec.get('image_size')
    w, h = size
    bottomup = cfg.model.type == 'BottomupPoseEstimator'
    transform = Compose(steps)
    rng = np.random.RandomState(seed)
    items = []
    for i in range(batch):
        people = 2 if bottomup else 1
        x0 = rng.uniform(0.05, 0.3, people) * w
        y0 = rng.uniform(0.05, 0.3, people) * h
        bw, bh = 0.6 * w, 0.6 * h
        bbox = np.stack([x0, y0, x0 + bw, y0 + bh], 1).astype(np.float32)
        kpts = np.stack([
            x0[:, None] + rng.uniform(0.1, 0.9, (people, num_kpts)) * bw,
            y0[:, None] + rng.uniform(0.1, 0.9, (people, num_kpts)) * bh
        ], -1)
        results = dict(
            img=rng.randint(0, 256, (h, w, 3), dtype=np.uint8),
            img_shape=(h, w),
            ori_shape=(h, w),
            input_size=(w, h),
            input_center=np.array([w / 2, h / 2]),
            input_scale=np.array([w, h], np.float32),
            img_id=i,
            id=i,
            img_path='<synthetic>',
            bbox=bbox if bottomup else np.array([[0, 0, w, h]], np.float32),
            bbox_center=np.array([[w / 2, h / 2]] * people, np.float32),
            bbox_scale=np.array([[w, h]] * people, np.float32),
            bbox_score=np.ones(people, np.float32),
            category_id=np.ones(people, np.int64),
            keypoints=kpts.astype(np.float32),
            keypoints_visible=np.ones((people, num_kpts), np.float32),
            area=np.full(people, bw * bh, np.float32),
            num_keypoints=np.full(people, num_kpts),
            iscrowd=np.zeros(people),
            flip=False,
            flip_direction=None,
            flip_indices=flip_indices,
            dataset_keypoint_weights=np.ones(num_kpts, np.float32),
            warp_mat=np.eye(3)[:2].astype(np.float32),
            invalid_segs=[],
        )
        if codec.get('type') == 'Hand3DHeatmap':  # InterNet: depth, handedness, camera
            results['keypoints'] = np.concatenate(
                [kpts, rng.uniform(-50, 50, (people, num_kpts, 1))], -1).astype(np.float32)
            results.update(
                rel_root_depth=np.float32(10.),
                rel_root_valid=np.float32(1.),
                hand_type=np.array([[1, 0]], np.float32),
                hand_type_valid=np.ones(1, np.float32),
                focal=np.array([1500., 1500.], np.float32),
                principal_pt=np.array([w / 2, h / 2], np.float32),
                abs_depth=[500.],
                rotation=0)
        items.append(transform(results))
    return pseudo_collate(items)
