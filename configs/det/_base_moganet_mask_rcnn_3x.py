"""Mask R-CNN, multi-scale 3x, MogaNet backbone (``mask_rcnn_moganet_*_3x.py``).

The original ``detection/configs/moganet/mask_rcnn_moganet_*_fpn_mstrain_480-800_3x_coco.py``:
the 1x recipe plus the DETR-style multi-scale + crop augmentation (the same pipeline
as mmdet's ``convnext/mask-rcnn_convnext-t-p4-w7_fpn_amp-ms-crop-3x_coco.py``),
36 epochs with steps at 27/33, warm-up kept at 500 iterations, lr 2e-4 for all sizes.
"""
_base_ = ['./_base_moganet_mask_rcnn.py']

# augmentation strategy originates from DETR / Sparse RCNN
train_pipeline = [
    dict(type='LoadImageFromFile', backend_args={{_base_.backend_args}}),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomChoice',
         transforms=[
             [dict(type='RandomChoiceResize',
                   scales=[(480, 1333), (512, 1333), (544, 1333), (576, 1333),
                           (608, 1333), (640, 1333), (672, 1333), (704, 1333),
                           (736, 1333), (768, 1333), (800, 1333)],
                   keep_ratio=True)],
             [dict(type='RandomChoiceResize',
                   scales=[(400, 1333), (500, 1333), (600, 1333)], keep_ratio=True),
              dict(type='RandomCrop', crop_type='absolute_range', crop_size=(384, 600),
                   allow_negative_crop=True),
              dict(type='RandomChoiceResize',
                   scales=[(480, 1333), (512, 1333), (544, 1333), (576, 1333),
                           (608, 1333), (640, 1333), (672, 1333), (704, 1333),
                           (736, 1333), (768, 1333), (800, 1333)],
                   keep_ratio=True)],
         ]),
    dict(type='PackDetInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

max_epochs = 36
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[27, 33], gamma=0.1),
]
optim_wrapper = dict(optimizer=dict(lr=2e-4))
