# The toy ADE20K set of tools/data/make_toy_ade20k.py (128x128 scenes, ADE20K layout,
# label 0 = other -> ignored by reduce_zero_label), for the toy configs beside this
# file. Its names start with ``toy_`` so that they never clash with the real configs'
# keys; the toy configs pick them up with ``{{_base_.toy_*}}``.
toy_data_root = 'data/toy_ade20k'
toy_crop_size = (128, 128)
toy_num_classes = 4
toy_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    # no random rescale + crop: the scenes are already at the crop size, and a crop
    # that cuts a ring or a cross leaves a piece a few hundred iterations can't name
    # (600 iterations: mIoU 60.6 without vs 55.1 with them, docs/notes/seg.md); no photometric
    # distortion either: colour is random per shape already, and 700 iterations learn
    # more without it (docs/notes/seg.md)
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
toy_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=toy_crop_size, keep_ratio=True),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='PackSegInputs'),
]
# mmseg's ADE20KDataset only takes (subsets of) ADE20K's 150 names: the toy classes
# go through BaseSegDataset on the same layout and label convention.
toy_dataset = dict(
    type='BaseSegDataset',
    data_root=toy_data_root,
    metainfo=dict(
        classes=('background', 'disc', 'ring', 'cross'),
        palette=[[120, 120, 120], [230, 25, 75], [60, 180, 75], [0, 130, 200]]),
    img_suffix='.jpg',
    seg_map_suffix='.png',
    reduce_zero_label=True)
toy_train_dataloader = dict(
    batch_size=8,
    num_workers=0,  # two shared CPU cores: load in the training process
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        **toy_dataset,
        data_prefix=dict(img_path='images/training', seg_map_path='annotations/training'),
        pipeline=toy_train_pipeline))
toy_val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        **toy_dataset,
        data_prefix=dict(img_path='images/validation', seg_map_path='annotations/validation'),
        pipeline=toy_test_pipeline))
