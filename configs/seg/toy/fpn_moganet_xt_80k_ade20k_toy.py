# Semantic FPN + MogaNet-XT on the toy ADE20K (tools/data/make_toy_ade20k.py), on CPU:
# the real config with only the data (toy set, 4 classes, 128x128), the schedule
# (700 iterations of batch 8, AdamW lr 1.5e-3) and random init overridden, plus the
# runtime-only ChannelsLastHook.
#   make demo-seg   (tools/demo/seg.py: makes the data, trains, evaluates, infers)
#   mim train mmseg configs/seg/toy/fpn_moganet_xt_80k_ade20k_toy.py --work-dir work_dirs/seg_toy
_base_ = ['../fpn_moganet_xt_80k_ade20k.py', './_toy_ade20k_data.py']

model = dict(
    data_preprocessor=dict(size={{_base_.toy_crop_size}}),
    backbone=dict(init_cfg=None),  # random init: no download
    decode_head=dict(num_classes={{_base_.toy_num_classes}}))

train_dataloader = {{_base_.toy_train_dataloader}}  # replaces every key of the real one
val_dataloader = {{_base_.toy_val_dataloader}}
test_dataloader = val_dataloader
# the top-level pipelines are what mmseg.apis.inference_model / MMSegInferencer read
train_pipeline = {{_base_.toy_train_pipeline}}
test_pipeline = {{_base_.toy_test_pipeline}}

max_iters = 700
optim_wrapper = dict(optimizer=dict(lr=1.5e-3))
param_scheduler = [
    # warm-up, then 1.5x the former lr 1e-3: the best of a GPU sweep (docs/notes/seg.md)
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=50),
    dict(type='PolyLR', power=0.9, eta_min=0.0, begin=50, end=max_iters, by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
# runtime only, not the model: NHWC convolutions, 1.2x faster steps on the CPU
custom_hooks = [dict(type='ChannelsLastHook')]
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=max_iters, save_best=None))
