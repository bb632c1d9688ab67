"""Mask R-CNN 1x with a MogaNet backbone: what every ``mask_rcnn_moganet_*_1x.py`` shares.

Model, COCO instance data, 1x schedule (linear warm-up 500 iters, steps at 8/11) and
runtime come from mmdet's own ``mask-rcnn_r50_fpn_1x_coco.py``; the MogaNet part follows
the original repository, ``detection/configs/_base_/models/mask_rcnn_moganet_fpn.py``
and ``detection/configs/moganet/mask_rcnn_moganet_*_fpn_1x_coco.py``.
"""
_base_ = ['mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py', './_base_moganet_det.py']

custom_imports = dict(imports=['moganet_mm'], allow_failed_imports=False)

model = dict(backbone=_base_.moganet_det_backbone)
# Original: AdamW lr 2e-4 (B/L 1x: 1e-4)
optim_wrapper = dict(type='OptimWrapper',
                     optimizer=dict(_base_.moganet_det_optimizer, _delete_=True),
                     paramwise_cfg=_base_.moganet_det_paramwise_cfg)

# 8 GPUs x 2 images (the original); scale lr with --auto-scale-lr on other setups.
train_dataloader = dict(batch_size=2)
auto_scale_lr = dict(enable=False, base_batch_size=16)
# original: checkpoint every epoch, keep one, keep the best
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=1, save_best='auto'))
