# mmseg's ADE20K 512x512 data, tested as the original tested: its
# AlignResize(keep_ratio=True, size_divisor=32) resizes to the scale, then stretches
# both sides up to the next multiple of 32, which is what mmseg 1.x's ResizeToMultiple
# does after Resize. Read by _base_moganet_fpn.py and _base_moganet_upernet.py.
_base_ = ['mmseg::_base_/datasets/ade20k.py']

test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 512), keep_ratio=True),
    dict(type='ResizeToMultiple', size_divisor=32),
    dict(type='LoadAnnotations', reduce_zero_label=True),  # labels stay at full size
    dict(type='PackSegInputs'),
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
