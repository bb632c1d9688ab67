"""Video prediction rows: video_mmnist.csv (SimVP with MogaNet blocks, OpenSTL).

Counted as OpenSTL counts them (fvcore, one multiply-add = one FLOP): the whole
SimVP on one clip of 10 input frames, 1x10x1x64x64 (Moving MNIST) or 1x10x3x64x64
(MNIST-CIFAR). The paper prints the same 46.8M / 16.5G for both datasets.
"""
import torch
from mmengine.registry import MODELS

from paper import paper_row

FLOPS_TOL = 0.02
#: config name -> the CSV's dataset column
DATASETS = {
    'simvp_moganet_mmnist': 'MMNIST 10x1x64x64',
    'simvp_moganet_mmnist_cifar': 'MMNIST-CIFAR 10x3x64x64',
}


def paper(name):
    if name not in DATASETS:
        raise LookupError(f'configs/video/{name}.py has no paper row; known: {sorted(DATASETS)}')
    rows = dict(dataset=DATASETS[name], arch='MogaNet')
    if name == 'simvp_moganet_mmnist':
        rows['epochs'] = '200'  # the 200- and 2000-epoch rows count the same model
    row = paper_row('video_mmnist.csv', **rows)
    return dict(
        csv='video_mmnist.csv', params=row['params_M'], flops=row['flops_G'], input=(64, 64))


def build_for_counting(cfg, input_hw):
    model = MODELS.build(cfg.model).eval()
    t, c = model.in_shape[:2]
    # SimVP's forward in 'tensor' mode is the bare prediction of the next frames
    return model, (torch.zeros(1, t, c, *input_hw), )


def counted_module(model):
    return model
