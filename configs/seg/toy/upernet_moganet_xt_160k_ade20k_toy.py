# UperNet + MogaNet-XT (+ auxiliary FCN head) on the toy ADE20K, on CPU: the real config
# with only the data (toy set, 4 classes, 128x128), the schedule (short: warm-up 10
# iterations, lr 1e-3, the original's no-decay keys kept) and random init overridden.
#   mim train mmseg configs/seg/toy/upernet_moganet_xt_160k_ade20k_toy.py --work-dir work_dirs/seg_toy_upernet
_base_ = ['../upernet_moganet_xt_160k_ade20k.py', './_toy_ade20k_data.py']

model = dict(
    data_preprocessor=dict(size={{_base_.toy_crop_size}}),
    backbone=dict(init_cfg=None),  # random init: no download
    decode_head=dict(num_classes={{_base_.toy_num_classes}}),
    auxiliary_head=dict(num_classes={{_base_.toy_num_classes}}))

train_dataloader = {{_base_.toy_train_dataloader}}  # replaces every key of the real one
val_dataloader = {{_base_.toy_val_dataloader}}
test_dataloader = val_dataloader
# the top-level pipelines are what mmseg.apis.inference_model / MMSegInferencer read
train_pipeline = {{_base_.toy_train_pipeline}}
test_pipeline = {{_base_.toy_test_pipeline}}

max_iters = 200
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=10),
    dict(type='PolyLR', power=1.0, eta_min=0.0, begin=10, end=max_iters, by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=max_iters, save_best=None))
