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
After the export the tool runs the ONNX model with each ``--runtime`` (ONNX Runtime,
OpenVINO at ``--precision``) and the PyTorch module on the same random input and
prints each output's difference, with the runtime and the precision it ran at.

``--int8`` also writes the post-training int8 model (QDQ, moganet_mm.deploy.quantize)
beside OUT as ``OUT.int8.onnx``, calibrated on the images of ``--calib-data`` (resized
to the input size, normalized with the config's data preprocessor), or on
``--calib-count`` seeded random inputs (for speed tests only), with the convs named by
``--keep-float`` patterns left float, and verifies it too.

    moganet-export configs/cls/moganet_t_in1k.py ckpt.pth t.onnx \
        --deploy --dynamic --runtime ort,openvino
    moganet-export configs/det/mask_rcnn_moganet_s_1x.py none \
        m.onnx --deploy
    moganet-export configs/cls/moganet_t_in1k.py ckpt.pth t.onnx \
        --deploy --int8 --calib-data data/calib_images
"""
import argparse
import glob
import os
import sys
import tempfile
import time

import mmcv
import numpy as np
import torch

from . import openvino as ov
from .exporter import OPSET, ExportError, check_model, export
from .models import build_model, export_spec, load_config, switch_to_deploy
from .ort import run, session
from .quantize import DESCRIPTION as INT8_DESCRIPTION
from .quantize import MOGANET_KEEP_FLOAT, conv_nodes, quantize

#: --runtime: name -> what the verify lines call it
RUNTIMES = {'ort': 'ONNX Runtime', 'openvino': 'OpenVINO'}
IMAGE_EXTS = ('.jpg', '.jpeg', '.png', '.bmp')
#: --calib-count's default
CALIB_COUNT = 32


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
        '--no-verify', action='store_true', help='skip the runtimes vs PyTorch comparison')
    parser.add_argument(
        '--runtime',
        default='ort',
        help=f'comma-separated runtimes to verify with, of {list(RUNTIMES)} (default ort)')
    parser.add_argument(
        '--precision',
        default='f32',
        help='OpenVINO inference precision of the float layers: f32 (default), bf16 or f16 '
        '(if the CPU has it); ONNX Runtime runs f32')
    parser.add_argument(
        '--int8', action='store_true', help='also write the int8 QDQ model OUT.int8.onnx')
    parser.add_argument(
        '--calib-data',
        metavar='DIR',
        help='--int8: a folder of calibration images (jpg/png/bmp; default: random inputs)')
    parser.add_argument(
        '--calib-count',
        type=int,
        help=f'--int8: the number of calibration images (or random inputs) used '
        f'(default {CALIB_COUNT})')
    parser.add_argument(
        '--keep-float',
        nargs='+',
        default=[],
        metavar='PATTERN',
        help='--int8: keep float the convs whose ONNX node names contain a PATTERN (e.g. '
        f'{" ".join(MOGANET_KEEP_FLOAT)}, what trained MogaNets need to stay within 1 point: '
        'docs/deploy.md)')
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
    runtimes = args.runtime.split(',')
    bad = [r for r in runtimes if r not in RUNTIMES]
    if bad or not runtimes:
        raise ExportError(f'--runtime takes a comma-separated list of {list(RUNTIMES)}, '
                          f'got {args.runtime!r}')
    if args.precision not in ov.PRECISIONS:
        raise ExportError(f'--precision must be one of {list(ov.PRECISIONS)}, got '
                          f'{args.precision!r}')
    if args.precision != 'f32' and 'openvino' not in runtimes:
        raise ExportError(f'--precision {args.precision} is OpenVINO\'s: add --runtime openvino '
                          '(ONNX Runtime runs f32)')
    if 'openvino' in runtimes and not args.no_verify:
        try:
            ov.check_precision(args.precision, label=f'--precision {args.precision}')
        except RuntimeError as err:
            raise ExportError(str(err)) from err
    if (args.calib_data or args.calib_count is not None or args.keep_float) and not args.int8:
        raise ExportError('--calib-data, --calib-count and --keep-float go with --int8')
    if args.calib_count is None:
        args.calib_count = CALIB_COUNT
    if args.int8:
        if os.path.exists(int8_path(args.out)) and not args.force:
            raise ExportError(f'{int8_path(args.out)} exists; pass --force to overwrite it')
        if args.calib_count < 1:
            raise ExportError(f'--calib-count must be >= 1, got {args.calib_count}')
        if args.calib_data and not calib_images(args.calib_data):
            raise ExportError(f'--calib-data {args.calib_data!r} is not a folder with images '
                              f'({", ".join(IMAGE_EXTS)})')
    return runtimes


def int8_path(out):
    """'t.int8.onnx' for 't.onnx'."""
    return out[:-len('.onnx')] + '.int8.onnx'


def calib_images(folder):
    return sorted(
        p for p in glob.glob(os.path.join(folder, '*'))
        if p.lower().endswith(IMAGE_EXTS)) if os.path.isdir(folder) else []


def calibration_inputs(args, cfg, shape):
    """The --int8 calibration batches (1 x 3 x H x W each): the images of --calib-data
    resized to H x W and normalized as the config's data preprocessor does, or seeded
    random inputs."""
    n, _, h, w = shape
    if not args.calib_data:
        print(f'  warning: calibrating int8 on {args.calib_count} random inputs: for speed '
              'tests only; pass --calib-data with images of the deployment for accuracy')
        g = torch.Generator().manual_seed(1)
        return [torch.randn(shape, generator=g) for _ in range(args.calib_count)]
    # mmdet / mmseg / mmpose configs hold it in the model, mmpretrain's at the top level
    pre = cfg.model.get('data_preprocessor') or cfg.get('data_preprocessor') or {}
    if 'mean' not in pre or 'std' not in pre:
        raise ExportError('--calib-data: the config names no data_preprocessor mean and std '
                          'to normalize the calibration images with')
    mean = np.array(pre['mean'], np.float32)
    std = np.array(pre['std'], np.float32)
    rgb = pre.get('to_rgb', pre.get('bgr_to_rgb', False))
    batches = []
    for path in calib_images(args.calib_data)[:args.calib_count]:
        img = mmcv.imresize(mmcv.imread(path, channel_order='rgb' if rgb else 'bgr'), (w, h))
        x = (img.astype(np.float32) - mean) / std
        batches.append(torch.from_numpy(x.transpose(2, 0, 1)).unsqueeze(0).repeat(n, 1, 1, 1))
    print(f'  calibrating int8 on {len(batches)} images of {args.calib_data}')
    return batches


def open_runtime(name, path, precision='f32', threads=None, device='cpu'):
    """(run on tensors, the precision it runs its float layers at) for the ONNX file
    ``path`` in the runtime ``name`` (of :data:`RUNTIMES`): ONNX Runtime on ``device``,
    or OpenVINO (CPU) with its float layers at ``precision``; ``threads``: CPU intra-op
    threads (default, and always on CUDA: the runtime's own choice)."""
    if name == 'ort':
        sess = session(path, device=device, threads=threads if device == 'cpu' else None)
        return (lambda *x: run(sess, *x)), 'f32'
    compiled = ov.compile(path, precision, threads)
    return (lambda *x: ov.run(compiled, *x)), ov.precision_of(compiled)


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


def moganet_convs_to_keep_float(path) -> bool:
    """Whether the graph at ``path`` has the MogaNet convs whose int8 costs trained
    models their accuracy (:data:`.quantize.MOGANET_KEEP_FLOAT`)."""
    try:
        conv_nodes(path, MOGANET_KEEP_FLOAT)
    except ValueError:  # another backbone, or a MogaNet graph with other names
        return False
    return True


def main(argv=None):
    args = parse_args(argv)
    try:
        runtimes = check_args(args)
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
            seconds = time.perf_counter() - start
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        if args.int8:
            try:
                kept = conv_nodes(args.out, args.keep_float) if args.keep_float else []
            except ValueError as err:
                raise ExportError(f'--keep-float: {err}') from err
            quantize(
                args.out,
                int8_path(args.out),
                calibration_inputs(args, cfg, example.shape),
                nodes_to_exclude=kept)
    except ExportError as err:
        sys.exit(f'export_onnx: {err}')
    print(f'{args.out}: {spec.kind} ({type(model).__name__}'
          f'{", deploy mode" if args.deploy else ""}), outputs {spec.output_names}, '
          f'{"dynamic" if args.dynamic else "static"} shapes, exported in '
          f'{seconds:.1f} s')
    if args.int8:
        kept = f'; {"+".join(args.keep_float)} f32' if args.keep_float else ''
        print(f'{int8_path(args.out)}: int8 QDQ of it ({INT8_DESCRIPTION}{kept})')
        if not args.keep_float and moganet_convs_to_keep_float(args.out):
            print(f'  note: every conv int8 cost the trained demos up to 34 mIoU; '
                  f'--keep-float {" ".join(MOGANET_KEEP_FLOAT)} keeps MogaNet within 1 point '
                  '(docs/deploy.md)')
    for note in spec.notes:
        print(f'  note: {note}')
    if args.no_verify:
        return
    with torch.no_grad():
        torch_outs = spec.module(example)
    torch_outs = torch_outs if isinstance(torch_outs, (tuple, list)) else (torch_outs, )
    for path, label in [(args.out, '')] + [(int8_path(args.out), ', int8 convs')] * args.int8:
        for rt in runtimes:
            fn, precision = open_runtime(rt, path, args.precision)
            for name, diff in compare(torch_outs, fn(example), spec.output_names).items():
                print(f'  {name}: {RUNTIMES[rt]} vs PyTorch, ' +
                      (diff if isinstance(diff, str) else f'difference {diff:.2e}') +
                      f' ({os.path.basename(path)}, {precision}{label})')


if __name__ == '__main__':
    main()
