"""ImageNet classification rows: imagenet_archs.csv (224) and imagenet_top1.csv (256)."""
import re

import torch

from model_zoo import paper_row

FLOPS_TOL = 0.02
ARCHS = {'xt': 'xtiny', 't': 'tiny', 's': 'small', 'b': 'base', 'l': 'large', 'xl': 'xlarge'}


def paper(name):
    size, res = re.fullmatch(r'moganet_(\w+?)_in1k(?:_(\d+))?', name).groups()
    res = int(res or 224)
    if res == 224:
        row = paper_row('imagenet_archs.csv', arch=ARCHS[size])
        return dict(csv='imagenet_archs.csv', params=row['params_M'], flops=row['flops_G'],
                    input=(res, res))
    row = paper_row('imagenet_top1.csv', arch=f'MogaNet-{size.upper()}', input=str(res),
                    recipe='300ep IN-1K') if size == 'xt' else paper_row(
        'imagenet_top1.csv', arch=f'MogaNet-{size.upper()}', input=str(res),
        top1='80.0')
    return dict(csv='imagenet_top1.csv', params=row['params_M'], flops=row['flops_G'],
                input=(res, res))


def build_for_counting(cfg, input_hw):
    from mmpretrain.registry import MODELS
    model = MODELS.build(cfg.model).eval()
    return model, (torch.zeros(1, 3, *input_hw), )


def counted_module(model):
    return model
