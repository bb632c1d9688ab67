#!/usr/bin/env python
"""Run MogaNet on the reference fixture and compare with the original.

The fixture (``tests/data/reference/reference_xtiny_160x192.pth``) holds original-
format weights, an input, and the feature maps and logits the original
implementation produced. The weights go through this project's checkpoint path
(``init_cfg=dict(type='Pretrained')``).

    .venv/bin/python tools/check_reference.py [--fixture PATH] [--tol 1e-4]
"""
import argparse
import os
import sys
import tempfile
from pathlib import Path

import torch

from moganet_mm import MogaNet

DEFAULT = Path(__file__).resolve().parents[1] / 'tests/data/reference/reference_xtiny_160x192.pth'


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--fixture', default=str(DEFAULT))
    parser.add_argument('--tol', type=float, default=1e-4)
    args = parser.parse_args()
    fixture = torch.load(args.fixture, map_location='cpu', weights_only=True)
    with tempfile.TemporaryDirectory() as tmp:
        ckpt = os.path.join(tmp, 'original.pth')
        torch.save(dict(state_dict=fixture['state_dict']), ckpt)
        model = MogaNet(arch=fixture['arch'], init_cfg=dict(type='Pretrained', checkpoint=ckpt))
        model.init_weights()
    model.eval()
    with torch.no_grad():
        feats = model(fixture['input'])
    print(f"MogaNet-{fixture['arch']} on {tuple(fixture['input'].shape)}, float32, eval")
    print(f"{'output':<8}{'shape':<22}{'max|diff|':>12}{'rel. max err':>14}")
    worst = 0.
    for i, (ours, ref) in enumerate(zip(feats, fixture['feats'])):
        diff = (ours - ref).abs().max().item()
        rel = diff / ref.abs().max().item()
        worst = max(worst, rel)
        print(f'{"stage" + str(i):<8}{str(tuple(ours.shape)):<22}{diff:>12.3e}{rel:>14.3e}')
    ok = worst <= args.tol
    print(f'worst relative error {worst:.3e} ({"<=" if ok else ">"} {args.tol:g}): '
          f'{"MATCH" if ok else "MISMATCH"}')
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
