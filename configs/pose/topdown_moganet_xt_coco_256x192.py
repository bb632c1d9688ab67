"""TopDown heatmap pose, MogaNet-XT on COCO at 256x192 (original moganet_xt_coco_256x192.py).

Paper / original README row: see paper_tables/coco_pose_topdown.csv; trained
weights: ``mim download moganet_mm --config topdown_moganet_xt_coco_256x192 --dest .``
"""
_base_ = ['./_base_moganet_topdown_coco_256x192.py']

size = _base_.moganet_sizes.xt
model = dict(backbone=dict(size.backbone, drop_path_rate=0.1), head=dict(in_channels=size.widths[-1]))
