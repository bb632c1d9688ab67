# Copyright (c) moganet_mm authors. Licensed under the Apache License 2.0.
"""The six MogaNet sizes: the one table of what each size is and which ImageNet-1K
weights the authors released for it.

Everything that names a size reads this table: the model (``MogaNet.arch_zoo``), the
configs (``configs/_base_/moganet_sizes.py`` is a link to this file, so a config says
``size = _base_.moganet_sizes.s``), the swap tool, the converters and the
model-index generator (:mod:`moganet_mm.releases` holds the task models' releases).
MMEngine reads the file as a base config, so it is plain data with no imports, and
its two names, ``moganet_weights`` and ``moganet_sizes``, are the config's too.

Each row, keyed by the short name:

- ``arch``: the long name (``MogaNet(arch=...)`` takes both, and ``x-tiny`` /
  ``x-large`` as the original does);
- ``widths``, ``depths``, ``ffn_ratios``: the four stages (the widths are what necks
  and heads read);
- ``in1k``: the authors' ImageNet-1K release, trained at 224x224;
- ``backbone``: what every task's backbone takes from the size: the arch, the
  ImageNet init, and ``drop_path_rate``, the stochastic depth of the authors'
  ImageNet recipe. Their COCO and ADE20K configs keep that rate (Mask R-CNN,
  RetinaNet, Semantic FPN, UperNet XT..L and the UperNet XL 512 config), so it is
  also what the swap tool gives a new dense-task config. The configs whose recipe
  differs set their own and say why: pose (0.1 / 0.15 / 0.2 / 0.3-0.4 per size),
  Mask R-CNN B 3x (0.3), Cascade XL (0.3, taken from the L recipe).
"""
# yapf: disable
moganet_weights = 'https://github.com/Westlake-AI/MogaNet/releases/download'
moganet_sizes = {
    key: dict(row, backbone=dict(
        arch=row['arch'], drop_path_rate=row['drop_path_rate'],
        init_cfg=dict(type='Pretrained',
                      checkpoint=f"{moganet_weights}/moganet-in1k-weights/{row['in1k']}")))
    for key, row in dict(
        xt=dict(arch='xtiny', widths=[32, 64, 96, 192], depths=[3, 3, 10, 2],
                ffn_ratios=[8, 8, 4, 4], drop_path_rate=0.05,
                in1k='moganet_xtiny_sz224_8xbs128_ep300.pth.tar'),
        t=dict(arch='tiny', widths=[32, 64, 128, 256], depths=[3, 3, 12, 2],
               ffn_ratios=[8, 8, 4, 4], drop_path_rate=0.1,
               in1k='moganet_tiny_sz224_8xbs128_ep300.pth.tar'),
        s=dict(arch='small', widths=[64, 128, 320, 512], depths=[2, 3, 12, 2],
               ffn_ratios=[8, 8, 4, 4], drop_path_rate=0.1,
               in1k='moganet_small_sz224_8xbs128_ep300.pth.tar'),
        b=dict(arch='base', widths=[64, 160, 320, 512], depths=[4, 6, 22, 3],
               ffn_ratios=[8, 8, 4, 4], drop_path_rate=0.2,
               in1k='moganet_base_sz224_8xbs128_ep300.pth.tar'),
        l=dict(arch='large', widths=[64, 160, 320, 640], depths=[4, 6, 44, 4],
               ffn_ratios=[8, 8, 4, 4], drop_path_rate=0.3,
               in1k='moganet_large_sz224_8xbs64_ep300.pth.tar'),
        xl=dict(arch='xlarge', widths=[96, 192, 480, 960], depths=[6, 6, 44, 4],
                ffn_ratios=[8, 8, 4, 4], drop_path_rate=0.4,
                in1k='moganet_xlarge_sz224_8xbs64_ep300.pth.tar'),
    ).items()
}
# yapf: enable
