# MogaNet-XT (xtiny) trained and tested at 256x256 (TRAINING.md's sz256 run:
# the 224 recipe at img_size 256; test crop_pct 0.9 -> short edge int(256 / 0.9)
# = 284, centre crop 256).
_base_ = ['./moganet_xt_in1k.py']

img_size = 256
at_256 = dict(RandomResizedCrop=dict(scale=img_size), ResizeEdge=dict(scale=284),
              CenterCrop=dict(crop_size=img_size))
train_pipeline = [dict(t, **at_256.get(t['type'], {})) for t in _base_.train_pipeline]
test_pipeline = [dict(t, **at_256.get(t['type'], {})) for t in _base_.test_pipeline]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
# the authors' 256 release is named as the 224 one, with sz256
in1k = _base_.moganet_sizes.xt.backbone.init_cfg
model = dict(backbone=dict(init_cfg=dict(checkpoint=in1k.checkpoint.replace('sz224', 'sz256'))))
