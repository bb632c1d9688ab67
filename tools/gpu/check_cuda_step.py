#!/usr/bin/env python
"""The deploy-path step of the GPU run: tools/deploy/check_cuda.py's checks, each
recorded as JSON instead of stopping at the first failure.

- ``roi_align``: mmcv's RoIAlign on CUDA equals its CPU result (needs the CUDA mmcv
  build of the step before);
- ``ort_cuda``: the backbone exports run with ONNX Runtime's CUDA provider and equal
  torch on the GPU; skipped where onnxruntime has no CUDA provider (the GPU image has
  the CPU build, and the kit does not carry onnxruntime-gpu: it is over 200 MB).

    python tools/gpu/check_cuda_step.py --json check_cuda.json       # on a GPU
    python tools/gpu/check_cuda_step.py --smoke --json /tmp/c.json   # CPU smoke
"""
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tools/ is not installed
from mmcv.ops import RoIAlign

import moganet_mm  # noqa: F401
from tools.deploy import check_cuda
from tools.gpu import common
from tools.gpu.device import device_of, machine


def smoke_checks() -> dict:
    """The CPU smoke: the checks' imports, RoIAlign on the CPU, the providers."""
    import onnxruntime
    out = RoIAlign((7, 7), 1.0, 0, aligned=True)(torch.randn(1, 4, 16, 16),
                                                 torch.tensor([[0, 1., 1., 9., 9.]]))
    return dict(
        roi_align=f'ran on the CPU, output {tuple(out.shape)}',
        ort_providers=onnxruntime.get_available_providers())


def main(argv=None):
    args = common.parser(__doc__.split('\n\n')[0]).parse_args(argv)
    device = device_of(args.smoke)
    out = dict(meta=dict(machine(device), smoke=args.smoke), checks={})
    if device != 'cuda':
        out['checks'] = {k: dict(status='ok', detail=v) for k, v in smoke_checks().items()}
        common.write_json(args.json, out)
        print(out['checks'])
        return 0
    import onnxruntime
    checks = {'roi_align': check_cuda.check_roi_align, 'ort_cuda': check_cuda.check_ort_cuda}
    providers = onnxruntime.get_available_providers()
    for name, check in checks.items():
        if name == 'ort_cuda' and 'CUDAExecutionProvider' not in providers:
            out['checks'][name] = dict(
                status=f'skipped: onnxruntime {onnxruntime.__version__} has no CUDA provider '
                f'here ({providers})')
            continue
        try:
            out['checks'][name] = dict(status='ok', detail=check())
        except Exception as err:  # record which check failed, and why
            out['checks'][name] = dict(status='failed', detail=f'{type(err).__name__}: {err}')
        common.write_json(args.json, out)
    common.write_json(args.json, out)
    for name, res in out['checks'].items():
        print(f'[check_cuda] {name}: {res["status"]}' +
              (f': {res["detail"]}' if 'detail' in res else ''))
    return 1 if any(r['status'] == 'failed' for r in out['checks'].values()) else 0


if __name__ == '__main__':
    sys.exit(main())
