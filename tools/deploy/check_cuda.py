#!/usr/bin/env python
"""GPU checks of the deploy path (not part of ``make test``: CI has no GPU).

1. mmcv was built with CUDA ops: ``mmcv.ops.RoIAlign`` runs on CUDA and equals its
   CPU result (the install builds a CUDA mmcv wheel on a GPU machine, docs/install.md);
2. MogaNet-XT's backbone, eager and deploy mode, exported to ONNX runs with ONNX
   Runtime's CUDA provider and equals torch on the GPU to 1e-4 relative error.

Exits non-zero naming the first check that fails.

    .venv/bin/python tools/deploy/check_cuda.py
"""
import argparse
import sys
import tempfile

import torch
from mmcv.ops import RoIAlign

from moganet_mm import MogaNet
from moganet_mm.deploy.exporter import dynamic_axes, export
from moganet_mm.deploy.models import BackboneOnly
from moganet_mm.deploy.ort import run, session


def check_roi_align():
    feats = torch.randn(2, 16, 40, 56)
    rois = torch.tensor([[0, 3.2, 4.1, 30.5, 22.7], [1, 0., 0., 55., 39.], [0, 10, 10, 12, 11]])
    layer = RoIAlign((7, 7), spatial_scale=1.0, sampling_ratio=0, aligned=True)
    cpu = layer(feats, rois)
    gpu = layer(feats.cuda(), rois.cuda()).cpu()
    err = ((gpu - cpu).abs().max() / cpu.abs().max()).item()
    if err > 1e-5:
        raise AssertionError(f'mmcv RoIAlign on CUDA differs from the CPU by {err:.2e}')
    return f'mmcv.ops.RoIAlign on CUDA = CPU (rel. error {err:.1e})'


def check_ort_cuda():
    names = [f'feat{i}' for i in range(4)]
    lines = []
    model = MogaNet(arch='xtiny').eval()
    x = torch.randn(2, 3, 97, 131)
    for mode in ('eager', 'deploy'):
        if mode == 'deploy':
            model.switch_to_deploy()
        with tempfile.TemporaryDirectory() as tmp:
            path = f'{tmp}/{mode}.onnx'
            export(
                BackboneOnly(model), torch.randn(1, 3, 64, 64), path, names,
                dynamic_axes(
                    names,
                    outputs={
                        n: {
                            0: 'b',
                            2: f'h{i}',
                            3: f'w{i}'
                        }
                        for i, n in enumerate(names)
                    }))
            sess = session(path, device='cuda')
            outs = run(sess, x)
        with torch.no_grad():
            ref = BackboneOnly(model.cuda())(x.cuda())
        model.cpu()
        err = max((torch.from_numpy(o) - r.cpu()).abs().max().item() / r.abs().max().item()
                  for o, r in zip(outs, ref))
        if err > 1e-4:
            raise AssertionError(f'{mode} export on the CUDA provider differs by {err:.2e}')
        lines.append(f'ONNX Runtime CUDA provider, {mode} export = torch CUDA '
                     f'(rel. error {err:.1e})')
    return '\n'.join(lines)


def main(argv=None):
    argparse.ArgumentParser(description=__doc__.split('\n\n')[0]).parse_args(argv)
    if not torch.cuda.is_available():
        sys.exit('check_cuda: torch sees no CUDA device here')
    for check in (check_roi_align, check_ort_cuda):
        try:
            print(check())
        except Exception as err:  # report which check failed, and why
            sys.exit(f'check_cuda: {check.__name__} failed: {type(err).__name__}: {err}')
    print(f'all CUDA checks passed on {torch.cuda.get_device_name()}')


if __name__ == '__main__':
    main()
