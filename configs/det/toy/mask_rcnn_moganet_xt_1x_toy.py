"""mask_rcnn_moganet_xt_1x.py on the toy COCO shapes set (``make demo``).

Inherits the real config; changes only the data (3 classes), the input scale
(256x256), the schedule (2 epochs, batch 4, AdamW lr 2e-3) and the training-time
sampling/proposal counts (64 sampled RoIs per image, 500 RPN proposals). The
backbone starts from random weights.
"""
_base_ = ['../mask_rcnn_moganet_xt_1x.py', './_toy_coco_data.py']

model = dict(
    backbone=dict(init_cfg=None),
    roi_head=dict(bbox_head=dict(num_classes=3), mask_head=dict(num_classes=3)),
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=1000, max_per_img=500),
        rcnn=dict(sampler=dict(num=64))))

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
