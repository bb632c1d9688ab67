"""The plain Cascade Mask R-CNN, multi-scale 3x, MogaNet backbone: the GIoU 4conv1fc
recipe (``_base_moganet_cascade_3x.py``) with the standard box heads instead.

From the original ``detection/configs/moganet/cascade_mask_rcnn_moganet_s_fpn_ms_3x_coco.py``
(the authors' README row: 51.4 box AP / 44.9 mask AP, 77.9M / 405.4G), which differs
from its GIoU sibling in two things only: mmdet's three ``Shared2FCBBoxHead`` (2 fcs,
smooth L1; one per stage, each stage's box stds) from
``_base_/models/cascade_mask_rcnn_r50_fpn.py``, and mmdet 2's ``schedule_1x`` warm-up
of 500 iterations instead of 1000.
"""
_base_ = ['./_base_moganet_cascade_3x.py']

model = dict(roi_head=dict(bbox_head=[
    dict(type='Shared2FCBBoxHead', in_channels=256, fc_out_channels=1024, roi_feat_size=7,
         num_classes=80, reg_class_agnostic=True,
         bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0., 0., 0., 0.],
                         target_stds=stds),
         loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
         loss_bbox=dict(type='SmoothL1Loss', beta=1.0, loss_weight=1.0))
    for stds in ([0.1, 0.1, 0.2, 0.2], [0.05, 0.05, 0.1, 0.1], [0.033, 0.033, 0.067, 0.067])
]))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=36, by_epoch=True, milestones=[27, 33], gamma=0.1)
]
