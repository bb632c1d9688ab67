"""Cascade Mask R-CNN, GIoU 4conv1fc box heads, multi-scale 3x, MogaNet backbone.

Everything but the backbone and the optimizer comes from mmdet's
``convnext/cascade-mask-rcnn_convnext-t-p4-w7_fpn_4conv1fc-giou_amp-ms-crop-3x_coco.py``:
three ``ConvFCBBoxHead`` (4 shared convs with SyncBN, 1 fc, GIoU loss x10), the
DETR-style multi-scale + crop pipeline, 36 epochs, warm-up 1000 iters, steps 27/33.
That matches the original
``detection/configs/_base_/models/cascade_mask_rcnn_moganet_fpn_giou_4conv1f.py`` and
``detection/configs/moganet/cascade_mask_rcnn_moganet_*_fpn_giou_4conv1f_ms_3x_coco.py``.
The original trains in fp32, so the AMP wrapper of the ConvNeXt config is dropped.
"""
_base_ = [
    'mmdet::convnext/cascade-mask-rcnn_convnext-t-p4-w7_fpn_4conv1fc-giou_amp-ms-crop-3x_coco.py',
    './_base_moganet_det.py'
]

custom_imports = dict(imports=['moganet_mm'], allow_failed_imports=False)

model = dict(backbone=_base_.moganet_det_backbone)
# Original (S): AdamW lr 2e-4; fp32 (the ConvNeXt config's AMP wrapper goes)
optim_wrapper = dict(_delete_=True, type='OptimWrapper', optimizer=_base_.moganet_det_optimizer,
                     paramwise_cfg=_base_.moganet_det_paramwise_cfg)

# 8 GPUs x 2 images (the original); scale lr with --auto-scale-lr on other setups.
train_dataloader = dict(batch_size=2)
auto_scale_lr = dict(enable=False, base_batch_size=16)
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=1, save_best='auto'))
