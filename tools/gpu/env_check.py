#!/usr/bin/env python
"""The environment step of the GPU run: what the machine is (GPU, driver, nvcc, cores,
torch, numpy, opencv) and whether the stack imports on it, with the kit installed.

Without ``--ops``: the imports that need no compiled mmcv ops (MMEngine, mmcv's Python
parts, the four codebases' packages, mmpretrain's models, moganet_mm, the COCO tools),
and a MogaNet-XT forward on the device. With ``--ops`` (after the mmcv build): mmcv's
compiled ops (their count), and mmdet's, mmseg's and mmpose's models, which import them.
Exits 1 when an import fails.

    python tools/gpu/env_check.py --json env.json
    python tools/gpu/env_check.py --ops --json env_ops.json
"""
import importlib
import importlib.metadata
import shutil
import subprocess
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tools/ is not installed
from tools.gpu import common
from tools.gpu.device import machine

#: imported in this order (moganet_mm first: it keeps mmpretrain.models importable with
#: transformers 5, moganet_mm/compat.py)
IMPORTS = [
    'moganet_mm', 'mmengine', 'mmcv', 'mmcv.cnn', 'mmdet', 'mmseg', 'mmpose', 'mmpretrain',
    'mmpretrain.models', 'pycocotools.coco', 'xtcocotools.coco', 'shapely', 'cv2'
]
#: after the mmcv build (moganet_mm first again: mmdet.models imports mmpretrain.models)
OPS_IMPORTS = ['moganet_mm', 'mmcv.ops', 'mmdet.models', 'mmseg.models', 'mmpose.models']
VERSIONS = [
    'torch', 'torchvision', 'numpy', 'opencv-python-headless', 'scipy', 'mmengine', 'mmcv', 'mmdet',
    'mmsegmentation', 'mmpose', 'mmpretrain', 'pycocotools', 'xtcocotools', 'shapely', 'setuptools',
    'transformers', 'onnxruntime', 'onnxruntime-gpu', 'timm'
]


def version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def command(*cmd):
    """The first lines of a command's output, or None where it is missing or fails."""
    if not shutil.which(cmd[0]):
        return None
    out = subprocess.run(cmd, capture_output=True, text=True)
    return (out.stdout + out.stderr).strip().splitlines()[-3:] if out.returncode == 0 else None


def main(argv=None):
    p = common.parser(__doc__.split('\n\n')[0])
    p.add_argument('--ops', action='store_true', help='check the imports that need mmcv ops')
    args = p.parse_args(argv)
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    out = dict(machine=machine(device), imports={})
    if not args.ops:
        out.update(
            python=sys.version.split()[0],
            versions={n: version(n)
                      for n in VERSIONS},
            nvcc=command('nvcc', '--version'),
            nvidia_smi=command('nvidia-smi', '--query-gpu=name,driver_version,memory.total',
                               '--format=csv,noheader'))
    for name in OPS_IMPORTS if args.ops else IMPORTS:
        try:
            mod = importlib.import_module(name)
            out['imports'][name] = 'ok'
            if name == 'mmcv.ops':  # the compiled extension and how many ops it has
                ext = importlib.import_module('mmcv._ext')
                out['mmcv_ops'] = sum(not n.startswith('_') for n in dir(ext))
                out['mmcv_ext'] = Path(ext.__file__).name
            del mod
        except Exception as err:  # report every failing import, not only the first
            out['imports'][name] = f'FAILED: {type(err).__name__}: {err}'[:500]
    if not args.ops and out['imports'].get('moganet_mm') == 'ok':
        model = importlib.import_module('moganet_mm').MogaNet(arch='xtiny').to(device).eval()
        with torch.no_grad():
            feats = model(torch.randn(1, 3, 64, 64, device=device))
        out['moganet_xt_forward'] = [tuple(f.shape) for f in feats]
    common.write_json(args.json, out)
    for name, res in out['imports'].items():
        print(f'[env] import {name}: {res}')
    if not args.ops:
        m = out['machine']
        print(f"[env] {m.get('gpu', 'no GPU')} | torch {m['torch']} (CUDA {m['cuda']}) | "
              f"numpy {out['versions']['numpy']} | opencv "
              f"{out['versions']['opencv-python-headless']} | {m['cores']} cores | nvcc "
              f"{(out['nvcc'] or ['none'])[-1]}")
    else:
        print(f"[env] mmcv ops: {out.get('mmcv_ops')} in {out.get('mmcv_ext')}")
    return 1 if any(v != 'ok' for v in out['imports'].values()) else 0


if __name__ == '__main__':
    sys.exit(main())
