r"""Export a config's model to ONNX and check it with ONNX Runtime.

CONFIG is any moganet_mm (or OpenMMLab) config of mmpretrain, mmdet, mmseg or mmpose;
CHECKPOINT a whole-model checkpoint of it, or ``none`` for freshly initialized
weights (for speed tests). What is exported (docs/deploy.md):

- an mmpretrain classifier: softmax class ``scores``;
- a Faster / Mask R-CNN: ``dets``, ``labels`` (and ``masks``), batch 1;
- an mmseg EncoderDecoder: the class map ``seg``;
- an mmpose top-down heatmap model: ``heatmaps``, ``keypoints``, ``scores``;
- with ``--backbone-only``, the backbone's feature maps of any of them.

The graph's input is the preprocessed batch (normalized, padded), as in mmdeploy.
After the export the tool runs the ONNX model with ONNX Runtime and the PyTorch
module on the same random input and prints each output's difference.

    moganet-export configs/cls/moganet_t_in1k.py ckpt.pth t.onnx \
        --deploy --dynamic
    moganet-export configs/det/mask_rcnn_moganet_s_1x.py none \
        m.onnx --deploy
"""
import argparse
import os
import sys
import tempfile
import time

import numpy as np
import torch

from .exporter import OPSET, ExportError, check_model, export
from .models import build_model, export_spec, load_config, switch_to_deploy
from .ort import run, session


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n\n'.join(__doc__.split('\n\n')[1:]))
    parser.add_argument('config', help='model config (.py)')
    parser.add_argument('checkpoint', help="whole-model checkpoint, or 'none' for fresh weights")
    parser.add_argument('out', help='output .onnx file')
    parser.add_argument(
        '--deploy',
        action='store_true',
        help='switch the MogaNet backbone to deploy mode first (folded norms '
        'and scales; needs BN)')
    parser.add_argument(
        '--dynamic',
        action='store_true',
        help='free batch and input size (where the model allows: detectors '
        'take batch 1, pose models their fixed crop size)')
    parser.add_argument(
        '--backbone-only', action='store_true', help="export the backbone's feature maps only")
    parser.add_argument(
        '--shape',
        type=int,
        nargs=2,
        metavar=('H', 'W'),
        help="example input size (default: the config's test size)")
    parser.add_argument('--batch', type=int, default=1, help='example batch size (default 1)')
    parser.add_argument(
        '--opset',
        type=int,
        default=OPSET,
        help=f'ONNX opset (default {OPSET}; >= 16 for detectors)')
    parser.add_argument(
        '--no-verify', action='store_true', help='skip the ONNX Runtime vs PyTorch comparison')
    parser.add_argument('--force', action='store_true', help='overwrite OUT if it exists')
    return parser.parse_args(argv)


def check_args(args):
    """Refuse what cannot work before building anything."""
    if not args.out.endswith('.onnx'):
        raise ExportError(f'OUT must end in .onnx, got {args.out!r}')
    if os.path.exists(args.out) and not args.force:
        raise ExportError(f'{args.out} exists; pass --force to overwrite it')
    if not os.path.isfile(args.config):
        raise ExportError(f'config {args.config!r} does not exist')
    if args.checkpoint.lower() != 'none' and not os.path.isfile(args.checkpoint):
        raise ExportError(f"checkpoint {args.checkpoint!r} does not exist (pass 'none' "
                          'to export freshly initialized weights)')
    if args.batch < 1 or (args.shape and min(args.shape) < 32):
        raise ExportError(f'--batch must be >= 1 and --shape >= 32 x 32 (MogaNet\'s output '
                          f'stride), got batch {args.batch}, shape {args.shape}')
    if not 7 <= args.opset <= 20:
        raise ExportError(f'--opset must be in 7..20, got {args.opset}')


def compare(torch_outs, ort_outs, names):
    """{output name: difference}: max|a - b| / max|b| for floats, the fraction of
    unequal entries for integers, or a shape mismatch."""
    diffs = {}
    for name, t, o in zip(names, torch_outs, ort_outs):
        t = t.detach().cpu().numpy()
        if t.shape != o.shape:
            diffs[name] = f'shape {o.shape} vs torch {t.shape}'
        elif t.size == 0:
            diffs[name] = 0.0
        elif np.issubdtype(t.dtype, np.floating):
            diffs[name] = float(
                np.abs(o.astype(np.float64) - t).max() / max(np.abs(t).max(), 1e-12))
        else:
            diffs[name] = float((o != t).mean())
    return diffs


def main(argv=None):
    args = parse_args(argv)
    try:
        check_args(args)
        cfg = load_config(args.config)
        model = build_model(cfg, None if args.checkpoint.lower() == 'none' else args.checkpoint)
        if args.deploy:
            switch_to_deploy(model)
        spec = export_spec(cfg, model, backbone_only=args.backbone_only)
        if spec.fixed_batch and args.batch != spec.fixed_batch:
            raise ExportError(f'{spec.kind} export takes batch {spec.fixed_batch}, '
                              f'got --batch {args.batch}')
        if spec.kind == 'detector' and args.opset < 16:
            raise ExportError('detectors need --opset >= 16 (RoiAlign with half-pixel '
                              'coordinates, mmcv\'s aligned=True)')
        h, w = args.shape or spec.input_hw
        example = torch.randn(args.batch, 3, h, w, generator=torch.Generator().manual_seed(0))
        # write next to OUT and rename: a failed export leaves no half-written file
        fd, tmp = tempfile.mkstemp(suffix='.onnx', dir=os.path.dirname(os.path.abspath(args.out)))
        os.close(fd)
        try:
            start = time.perf_counter()
            try:
                export(
                    spec.module,
                    example,
                    tmp,
                    spec.output_names,
                    spec.dynamic_axes(args.dynamic),
                    opset=args.opset)
            except ExportError:
                raise
            except Exception as err:  # the exporter's own errors name the failing op
                raise ExportError(f'torch.onnx.export failed for this {spec.kind}: '
                                  f'{type(err).__name__}: {str(err)[:2000]}') from err
            check_model(tmp)
            os.replace(tmp, args.out)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
    except ExportError as err:
        sys.exit(f'export_onnx: {err}')
    print(f'{args.out}: {spec.kind} ({type(model).__name__}'
          f'{", deploy mode" if args.deploy else ""}), outputs {spec.output_names}, '
          f'{"dynamic" if args.dynamic else "static"} shapes, exported in '
          f'{time.perf_counter() - start:.1f} s')
    for note in spec.notes:
        print(f'  note: {note}')
    if args.no_verify:
        return
    with torch.no_grad():
        torch_outs = spec.module(example)
    torch_outs = torch_outs if isinstance(torch_outs, (tuple, list)) else (torch_outs, )
    ort_outs = run(session(args.out), example)
    for name, diff in compare(torch_outs, ort_outs, spec.output_names).items():
        print(f'  {name}: ONNX Runtime vs PyTorch, ' +
              (diff if isinstance(diff, str) else f'difference {diff:.2e}'))


if __name__ == '__main__':
    main()
