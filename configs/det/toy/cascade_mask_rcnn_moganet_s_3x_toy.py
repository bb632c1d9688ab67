"""cascade_mask_rcnn_moganet_s_3x.py on the toy COCO shapes set (tests).

Inherits the real config; changes only the data (3 classes), input scale, schedule
(single-scale 256x256 instead of the multi-scale crop pipeline) and the training-time
sampling/proposal counts. mmengine replaces lists wholesale, so the three cascade
box heads (and the per-stage training settings) are restated as in the base, with
``num_classes=3`` (and 128 sampled RoIs); tests/test_det_configs.py checks that the
toy model has the real model's architecture.
"""
_base_ = ['../cascade_mask_rcnn_moganet_s_3x.py', './_toy_coco_data.py']

model = dict(
    backbone=dict(init_cfg=None),
    roi_head=dict(
        bbox_head=[
            dict(type='ConvFCBBoxHead', num_shared_convs=4, num_shared_fcs=1, in_channels=256,
                 conv_out_channels=256, fc_out_channels=1024, roi_feat_size=7, num_classes=3,
                 bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0., 0., 0., 0.],
                                 target_stds=stds),
                 reg_class_agnostic=False, reg_decoded_bbox=True,
                 norm_cfg=dict(type='SyncBN', requires_grad=True),
                 loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
                 loss_bbox=dict(type='GIoULoss', loss_weight=10.0))
            for stds in ([0.1, 0.1, 0.2, 0.2], [0.05, 0.05, 0.1, 0.1],
                         [0.033, 0.033, 0.067, 0.067])],
        mask_head=dict(num_classes=3)),
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=1000, max_per_img=500),
        rcnn=[dict(sampler=dict(type='RandomSampler', num=128, pos_fraction=0.25,
                                neg_pos_ub=-1, add_gt_as_proposals=True),
                   assigner=dict(type='MaxIoUAssigner', pos_iou_thr=thr, neg_iou_thr=thr,
                                 min_pos_iou=thr, match_low_quality=False,
                                 ignore_iof_thr=-1),
                   mask_size=28, pos_weight=-1, debug=False)
              for thr in (0.5, 0.6, 0.7)]))

train_dataloader = {{_base_.toy_train_dataloader}}
val_dataloader = {{_base_.toy_val_dataloader}}
test_dataloader = val_dataloader
val_evaluator = {{_base_.toy_val_evaluator}}
test_evaluator = val_evaluator
train_cfg = {{_base_.toy_train_cfg}}
param_scheduler = {{_base_.toy_param_scheduler}}
optim_wrapper = dict(optimizer=dict(lr={{_base_.toy_lr}}))
default_hooks = {{_base_.toy_default_hooks}}
auto_scale_lr = dict(enable=False, base_batch_size=4)
