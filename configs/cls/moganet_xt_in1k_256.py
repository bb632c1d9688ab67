# MogaNet-XT (xtiny) trained and tested at 256x256 (TRAINING.md's sz256 run:
# the 224 recipe at img_size 256; test crop_pct 0.9 -> short edge int(256 / 0.9)
# = 284, centre crop 256).
_base_ = ['./moganet_xt_in1k.py']

img_size = 256
train_pipeline = [dict(t, scale=img_size) if t['type'] == 'RandomResizedCrop' else t
                  for t in _base_.train_pipeline]
test_pipeline = [dict(t, scale=284) if t['type'] == 'ResizeEdge' else
                 dict(t, crop_size=img_size) if t['type'] == 'CenterCrop' else t
                 for t in _base_.test_pipeline]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
model = dict(backbone=dict(init_cfg=dict(
    checkpoint='https://github.com/Westlake-AI/MogaNet/releases/download/moganet-in1k-weights/moganet_xtiny_sz256_8xbs128_ep300.pth.tar')))
