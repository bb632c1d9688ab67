"""Shared TopDown heatmap recipe for MogaNet on COCO at 256x192 (mmpose 1.x).

Everything comes from mmpose's SimpleBaseline ResNet-50 config (TopdownPoseEstimator,
HeatmapHead with three 256-channel deconvs, MSRA heatmap codec with sigma 2, COCO 17
keypoints, flip test with heatmap shift, CocoMetric, 210 epochs with a 500-iter
linear warm-up and steps at 170/200). MogaNet replaces the backbone and, as in the
original ``pose_estimation/configs/body/2d_kpt_sview_rgb_img/topdown_heatmap/coco/
moganet_*_coco_256x192.py``, the optimizer is Adam lr 1e-3 at batch 32 x 8 GPUs.
The size configs set ``arch``, ``drop_path_rate``, the head's ``in_channels`` and
the ImageNet checkpoint; the 384x288 configs take their 256x192 sibling with the
input of ``_base_input_384x288.py``.
"""
_base_ = [
    'mmpose::body_2d_keypoint/topdown_heatmap/coco/td-hm_res50_8xb64-210e_coco-256x192.py',
    '../_base_/moganet_sizes.py',
]

custom_imports = dict(imports=['moganet_mm'], allow_failed_imports=False)

# original: optimizer=dict(type='Adam', lr=1e-3), no grad clip
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
# original: 8 GPUs x samples_per_gpu=32
auto_scale_lr = dict(base_batch_size=256)
train_dataloader = dict(batch_size=32)
val_dataloader = dict(batch_size=32)
test_dataloader = val_dataloader

model = dict(
    backbone=dict(
        _delete_=True,
        type='MogaNet',
        out_indices=(3, ),  # the head reads the last stage only (original: in_index=3)
        # BN: the original configs pass stem_norm_cfg = conv_norm_cfg = SyncBN, but its
        # MogaNet reads stem_norm_type / conv_norm_type and swallows those in **kwargs,
        # so the released models were trained with per-GPU BN in the backbone
        norm_cfg=dict(type='BN')))
