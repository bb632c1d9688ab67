"""TopDown heatmap pose, MogaNet-T on COCO at 256x192 (original moganet_t_coco_256x192.py).

Paper / original README row: see ../shared/paper_tables/coco_pose_topdown.csv; trained
weights: https://github.com/Westlake-AI/MogaNet/releases/download/moganet-pose-weights/moganet_t_coco_256x192.pth
"""
_base_ = ['./_base_moganet_topdown_coco_256x192.py']

model = dict(
    backbone=dict(
        arch='tiny',
        drop_path_rate=0.15,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/download/moganet-in1k-weights/'
            'moganet_tiny_sz224_8xbs128_ep300.pth.tar')),
    head=dict(in_channels=256))
