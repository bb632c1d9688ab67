"""retinanet_moganet_xt_1x.py on the toy COCO shapes set (tests): boxes only.

Inherits the real config; changes only the data (3 classes, boxes), input scale and
schedule. The backbone starts from random weights.
"""
_base_ = ['../retinanet_moganet_xt_1x.py', './_toy_coco_data.py']

model = dict(backbone=dict(init_cfg=None), bbox_head=dict(num_classes=3))

train_dataloader = {{_base_.toy_train_dataloader}}
val_dataloader = {{_base_.toy_val_dataloader}}
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='CocoMetric', metric='bbox',  # boxes only
                     ann_file={{_base_.toy_val_evaluator.ann_file}})
test_evaluator = val_evaluator
train_cfg = {{_base_.toy_train_cfg}}
param_scheduler = {{_base_.toy_param_scheduler}}
# RetinaNet keeps its real recipe's lr (1e-4): at 1e-3 (the Mask R-CNN toy's lr then) its
# focal loss spikes from a random backbone (measured: 1.8 -> 31.7 within 6 iterations)
optim_wrapper = dict(optimizer=dict(lr=1e-4))
default_hooks = {{_base_.toy_default_hooks}}
auto_scale_lr = dict(enable=False, base_batch_size=4)
