"""TopDown heatmap pose, MogaNet-S on COCO at 384x288 (original moganet_s_coco_384x288.py).

Paper / original README row: see paper_tables/coco_pose_topdown.csv; trained
weights: ``mim download moganet_mm --config topdown_moganet_s_coco_384x288 --dest .``
"""
_base_ = ['./topdown_moganet_s_coco_256x192.py', './_base_input_384x288.py']

codec, train_pipeline, val_pipeline = (_base_.input_384x288[k]
                                       for k in ('codec', 'train_pipeline', 'val_pipeline'))
model = dict(backbone=dict(drop_path_rate=0.2), head=dict(decoder=codec))
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
# the original trained this one (only) with fp16, dynamic loss scale (needs a GPU)
optim_wrapper = dict(type='AmpOptimWrapper', loss_scale='dynamic')
