"""TopDown heatmap pose, MogaNet-XT on COCO at 384x288 (original moganet_xt_coco_384x288.py).

Paper / original README row: see ../shared/paper_tables/coco_pose_topdown.csv; trained
weights: https://github.com/Westlake-AI/MogaNet/releases/download/moganet-pose-weights/moganet_xt_coco_384x288.pth
"""
_base_ = ['./_base_moganet_topdown_coco_384x288.py']

model = dict(
    backbone=dict(
        arch='xtiny',
        drop_path_rate=0.1,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/download/moganet-in1k-weights/'
            'moganet_xtiny_sz224_8xbs128_ep300.pth.tar')),
    head=dict(in_channels=192))
