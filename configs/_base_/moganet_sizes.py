# The six MogaNet sizes: the one table the configs read (``size = _base_.moganet_sizes.s``).
#
#   backbone:  what every task's backbone takes from the size: the arch, the stochastic
#              depth of the authors' ImageNet recipe (their dense-task configs keep it
#              unless a config says otherwise) and their ImageNet-1K release (224x224)
#   widths:    the four stage widths, what necks and heads read
#              (MogaNet.arch_zoo's embed_dims; tests/test_configs_resolved.py ties them)
moganet_sizes = dict(
    xt=dict(widths=[32, 64, 96, 192],
            backbone=dict(arch='xtiny', drop_path_rate=0.05, init_cfg=dict(
                type='Pretrained',
                checkpoint='https://github.com/Westlake-AI/MogaNet/releases/download/moganet-in1k-weights/moganet_xtiny_sz224_8xbs128_ep300.pth.tar'))),
    t=dict(widths=[32, 64, 128, 256],
           backbone=dict(arch='tiny', drop_path_rate=0.1, init_cfg=dict(
               type='Pretrained',
               checkpoint='https://github.com/Westlake-AI/MogaNet/releases/download/moganet-in1k-weights/moganet_tiny_sz224_8xbs128_ep300.pth.tar'))),
    s=dict(widths=[64, 128, 320, 512],
           backbone=dict(arch='small', drop_path_rate=0.1, init_cfg=dict(
               type='Pretrained',
               checkpoint='https://github.com/Westlake-AI/MogaNet/releases/download/moganet-in1k-weights/moganet_small_sz224_8xbs128_ep300.pth.tar'))),
    b=dict(widths=[64, 160, 320, 512],
           backbone=dict(arch='base', drop_path_rate=0.2, init_cfg=dict(
               type='Pretrained',
               checkpoint='https://github.com/Westlake-AI/MogaNet/releases/download/moganet-in1k-weights/moganet_base_sz224_8xbs128_ep300.pth.tar'))),
    l=dict(widths=[64, 160, 320, 640],
           backbone=dict(arch='large', drop_path_rate=0.3, init_cfg=dict(
               type='Pretrained',
               checkpoint='https://github.com/Westlake-AI/MogaNet/releases/download/moganet-in1k-weights/moganet_large_sz224_8xbs64_ep300.pth.tar'))),
    xl=dict(widths=[96, 192, 480, 960],
            backbone=dict(arch='xlarge', drop_path_rate=0.4, init_cfg=dict(
                type='Pretrained',
                checkpoint='https://github.com/Westlake-AI/MogaNet/releases/download/moganet-in1k-weights/moganet_xlarge_sz224_8xbs64_ep300.pth.tar'))),
)
