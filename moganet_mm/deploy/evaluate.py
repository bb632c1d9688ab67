r"""Evaluate an exported model with its codebase's own test loop and metric: the trained
model in PyTorch, its ONNX graph in ONNX Runtime and OpenVINO, fp32 and int8 (and
OpenVINO at bf16 where the CPU has it), on the config's test split (docs/deploy.md,
"int8 fidelity").

Each exported run is an MMEngine ``Runner.test()`` of :class:`ExportedModel`: the
config's data preprocessor prepares the batch, the runtime runs the graph, and the
codebase's own post-processing turns the graph's outputs into the data samples its
metric reads (mmpretrain ``DataSample`` scores, mmdet ``pred_instances`` with pasted
masks, mmseg ``postprocess_result`` of the logits, mmpose ``head.decode`` +
``add_pred_to_datasample``, SimVP frames). The int8 model is calibrated on the first
``calib_count`` images of the config's *training* split, through the test pipeline,
never on the split it is scored on.

    python -m moganet_mm.deploy.evaluate CONFIG CHECKPOINT --runtime ort,openvino \
        --keep-float fc2 proj_2 --calib-count 32 --out fidelity.json
    python -m moganet_mm.deploy.evaluate CONFIG CHECKPOINT --runtime openvino --bf16
"""
import argparse
import copy
import json
import os
import sys
import tempfile
import time
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.model import BaseModel
from mmengine.registry import MODELS, init_default_scope
from mmengine.runner import Runner
from mmengine.structures import InstanceData

from ..checkpoint import load_checkpoint_file
from .cli import RUNTIMES, open_runtime
from .detection import predictions
from .exporter import ExportError, export
from .models import build_model, export_spec, load_config, switch_to_deploy
from .openvino import check_precision
from .quantize import MOGANET_KEEP_FLOAT, conv_nodes, quantize
from .segmentation import Segmentor
from .spec import ExportSpec

CALIB_COUNT = 32


class SegmentorLogits(Segmentor):
    """The segmentor's class logits resized to the input (N, C, H, W): what mmseg's
    ``postprocess_result`` turns into the class map at the original size."""

    def forward(self, x):
        return self.logits(x)


class VideoPredictor(nn.Module):
    """SimVP's predicted frames (N, T, C, H, W) of the input frames."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model.predict_frames(x)


def eval_spec(cfg, model: nn.Module) -> ExportSpec:
    """The graph evaluated for ``model``: the exported one of :func:`export_spec`, but
    class logits for a segmentor and predicted frames for SimVP."""
    if type(model).__name__ == 'SimVP':
        return ExportSpec(
            VideoPredictor(model),
            'video', ['frames'],
            tuple(model.in_shape[-2:]),
            dynamic_hw=False,
            dynamic_outputs={'frames': {
                0: 'batch'
            }})
    spec = export_spec(cfg, model)
    if spec.kind == 'segmentor':
        spec.module, spec.output_names = SegmentorLogits(model), ['seg_logits']
        spec.dynamic_outputs = {'seg_logits': {0: 'batch', 2: 'height', 3: 'width'}}
    return spec


def to_data_samples(kind: str, model: nn.Module, outputs: List[List[np.ndarray]],
                    data_samples: list) -> list:
    """The codebase's predictions from the graph's ``outputs`` (one list of arrays per
    graph run: per image for detectors, per batch otherwise)."""
    if kind == 'classifier':
        scores = torch.from_numpy(outputs[0][0])
        for sample, score in zip(data_samples, scores):
            sample.set_pred_score(score).set_pred_label(score.argmax(0, keepdim=True))
        return data_samples
    if kind == 'detector':
        mask_thr = model.test_cfg.rcnn.get('mask_thr_binary', 0.5)
        for sample, (dets, *rest) in zip(data_samples, outputs):
            # the graph's boxes are in the input's pixels, as mmdet's rescale=False
            dets = dets.copy()
            dets[0, :, :4] /= np.tile(np.asarray(sample.metainfo['scale_factor']), 2)
            pred = predictions([dets] + rest, sample.ori_shape, mask_thr)
            sample.pred_instances = InstanceData(**{
                k: torch.from_numpy(np.ascontiguousarray(v))
                for k, v in pred.items()
            })
        return data_samples
    if kind == 'segmentor':
        return model.postprocess_result(torch.from_numpy(outputs[0][0]), data_samples)
    if kind == 'pose':
        preds = model.head.decode(torch.from_numpy(outputs[0][0]))
        return model.add_pred_to_datasample(preds, None, data_samples)
    frames = torch.from_numpy(outputs[0][0])  # video: the metric reads pred / gt
    targets = torch.stack(list(data_samples)) if isinstance(data_samples,
                                                            (list, tuple)) else data_samples
    return [dict(pred=p, gt=g) for p, g in zip(frames, targets)]


class ExportedModel(BaseModel):
    """A model whose predictions come from an exported graph run by ``infer`` (the
    input batch -> the graph's outputs as arrays); ``model`` is the PyTorch model it
    was exported from, for its data preprocessor and post-processing."""

    def __init__(self, model: nn.Module, kind: str, infer: Callable[[torch.Tensor],
                                                                    List[np.ndarray]]):
        super().__init__(data_preprocessor=model.data_preprocessor)
        self.source = [model]  # a list: not a submodule, the Runner must not move it
        self.kind = kind
        self.infer = infer

    def forward(self, inputs, data_samples=None, mode='predict'):
        if mode != 'predict':
            raise ValueError(f"an exported model only predicts, got mode={mode!r}")
        if isinstance(inputs, (list, tuple)):
            inputs = torch.stack(inputs)
        if self.kind == 'detector':  # the graph takes batch 1
            outputs = [self.infer(inputs[i:i + 1]) for i in range(len(inputs))]
        else:
            outputs = [self.infer(inputs)]
        return to_data_samples(self.kind, self.source[0], outputs, data_samples)


def runner(cfg, model: nn.Module, work_dir: str, name: str) -> Runner:
    """An MMEngine Runner that tests ``model`` on the config's test split with its
    test evaluator, quietly."""
    return Runner(
        model=model,
        work_dir=work_dir,
        experiment_name=f'{name}_{time.time_ns()}',
        test_dataloader=copy.deepcopy(cfg.test_dataloader),
        test_evaluator=copy.deepcopy(cfg.test_evaluator),
        test_cfg=dict(type='TestLoop'),
        default_scope=cfg.get('default_scope', 'mmengine'),
        default_hooks=dict(logger=dict(type='LoggerHook', interval=10**6)),
        env_cfg=dict(dist_cfg=dict(backend='gloo')),
        log_level='WARNING')


def calibration_batches(cfg, model: nn.Module, count: int) -> List[torch.Tensor]:
    """The first ``count`` images (clips) of the config's training split, through its
    test pipeline and the model's data preprocessor: batches of one."""
    dataset = copy.deepcopy(cfg.train_dataloader.dataset)
    test_dataset = cfg.test_dataloader.dataset
    if 'pipeline' in test_dataset:
        dataset.pipeline = copy.deepcopy(test_dataset.pipeline)
    loader = Runner.build_dataloader(
        dict(
            batch_size=1,
            num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=False),
            dataset=dataset),
        seed=0)
    batches = []
    with torch.no_grad():
        for data in loader:
            inputs = model.data_preprocessor(data, False)['inputs']
            batches.append(torch.stack(inputs) if isinstance(inputs, list) else inputs)
            if len(batches) == count:
                break
    return batches


def load_any_config(path: str):
    """A task config of a codebase (:func:`.models.load_config`), or a config whose
    model is registered in MMEngine's root scope (SimVP)."""
    cfg = Config.fromfile(path)
    if cfg.get('default_scope', 'mmengine') == 'mmengine':
        return cfg
    return load_config(path)


def build_any_model(cfg, checkpoint: str) -> nn.Module:
    if cfg.get('default_scope', 'mmengine') != 'mmengine':
        return build_model(cfg, checkpoint)
    init_default_scope('mmengine')  # SimVP: registered by ``import moganet_mm``
    model = MODELS.build(copy.deepcopy(cfg.model))
    state = load_checkpoint_file(checkpoint)
    model.load_state_dict(state.get('state_dict', state))
    return model.eval()


def torch_outputs(module: nn.Module, x: torch.Tensor) -> List[np.ndarray]:
    with torch.no_grad():
        outs = module(x)
    return [o.numpy() for o in (outs if isinstance(outs, (tuple, list)) else (outs, ))]


def evaluate(config: str,
             checkpoint: str,
             runtimes: Sequence[str] = ('ort', 'openvino'),
             int8: bool = True,
             calib_count: int = CALIB_COUNT,
             deploy: bool = True,
             keep_float: Sequence[str] = (),
             bf16: bool = False,
             work_dir: Optional[str] = None,
             threads: Optional[int] = None,
             log: Callable[[str], None] = print) -> Dict:
    """The config's test metrics of the trained model at ``checkpoint``: in PyTorch
    (the codebase's own test step) and its exported graph in each of ``runtimes``,
    fp32 and (with ``int8``) int8; with ``keep_float`` also int8 with the convs whose
    ONNX node names contain one of these patterns kept float; with ``bf16`` also the
    f32 graph in OpenVINO at bf16 (CPUs with AVX-512 BF16 or AMX). Returns
    ``dict(kind, rows=[dict(variant, runtime, precision, metrics, seconds)], ...)``."""
    bad = [r for r in runtimes if r not in RUNTIMES]
    if bad or not runtimes:
        raise ValueError(f'runtimes must be some of {list(RUNTIMES)}, got {list(runtimes)}')
    if calib_count < 1:
        raise ValueError(f'calib_count must be >= 1, got {calib_count}')
    if bf16:
        if 'openvino' not in runtimes:
            raise ValueError(
                f'bf16 runs in OpenVINO: add openvino to the runtimes {list(runtimes)}')
        try:
            check_precision('bf16')
        except RuntimeError as err:
            raise ValueError(str(err)) from None
    cfg = load_any_config(config)
    model = build_any_model(cfg, checkpoint)
    with tempfile.TemporaryDirectory() as tmp:
        work_dir = work_dir or tmp
        rows = []

        def record(variant, runtime, precision, test_model):
            start = time.perf_counter()
            metrics = runner(cfg, test_model, work_dir, variant.replace(' ', '_')).test()
            rows.append(
                dict(
                    variant=variant,
                    runtime=runtime,
                    precision=precision,
                    metrics={
                        k: float(v)
                        for k, v in metrics.items()
                    },
                    seconds=round(time.perf_counter() - start, 1)))
            log(f'{variant}: ' + ', '.join(f'{k} {v:.4g}' for k, v in rows[-1]['metrics'].items()))

        record('pytorch', 'pytorch', 'f32', model)
        spec = eval_spec(cfg, model)
        calib = calibration_batches(cfg, model, calib_count) if int8 else []
        if deploy and hasattr(getattr(model, 'backbone', None), 'switch_to_deploy'):
            switch_to_deploy(model)
        example = calib[0] if calib else calibration_batches(cfg, model, 1)[0]
        path = os.path.join(tmp, 'model.onnx')
        export(spec.module, example, path, spec.output_names, spec.dynamic_axes(True))
        # the exported module in PyTorch: what the runtimes must equal (it leaves out
        # what the graph does not compute, e.g. mmpose's flip test)
        record('pytorch graph', 'pytorch graph', 'f32',
               ExportedModel(model, spec.kind, lambda x: torch_outputs(spec.module, x)))
        paths = {'f32': path}
        if int8:
            paths['int8'] = quantize(path, os.path.join(tmp, 'model.int8.onnx'), calib)
            if keep_float:
                paths[f'int8, {"+".join(keep_float)} f32'] = quantize(
                    path,
                    os.path.join(tmp, 'model.int8_kept.onnx'),
                    calib,
                    nodes_to_exclude=conv_nodes(path, keep_float))
        # (precision, runtime, graph, precision of the graph's float layers)
        runs = [(p, r, paths[p], 'f32') for p in paths for r in RUNTIMES if r in runtimes]
        if bf16:  # after OpenVINO f32: the f32 graph, its float layers at bf16
            at = [r[:2] for r in runs].index(('f32', 'openvino')) + 1
            runs.insert(at, ('bf16', 'openvino', paths['f32'], 'bf16'))
        for precision, runtime, graph, float_precision in runs:
            infer, _ = open_runtime(runtime, graph, float_precision, threads=threads)
            record(f'{runtime} {precision}', runtime, precision,
                   ExportedModel(model, spec.kind, infer))
    return dict(
        config=config,
        checkpoint=checkpoint,
        kind=spec.kind,
        deploy=deploy,
        keep_float=list(keep_float),
        bf16=bf16,
        rows=rows,
        int8_calibration=f'first {len(calib)} training images' if int8 else None)


def table(result: Dict, metrics: Optional[Sequence[str]] = None) -> str:
    """A Markdown table of :func:`evaluate`'s rows: each metric, and each reduced
    precision's (int8, bf16) change from the same runtime's fp32."""
    rows = result['rows']
    metrics = list(metrics or rows[0]['metrics'])
    lines = [
        '| variant | ' + ' | '.join(metrics) + ' | change from f32 | s |',
        '|---' * (len(metrics) + 3) + '|'
    ]
    f32 = {r['runtime']: r['metrics'] for r in rows if r['precision'] == 'f32'}
    for r in rows:
        delta = ''
        if r['precision'] != 'f32' and r['runtime'] in f32:
            delta = ', '.join(f'{r["metrics"][m] - f32[r["runtime"]][m]:+.4g}' for m in metrics)
        lines.append(f'| {r["variant"]} | ' + ' | '.join(f'{r["metrics"][m]:.4g}'
                                                         for m in metrics) +
                     f' | {delta} | {r["seconds"]} |')
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint', help='whole-model checkpoint (e.g. from the training)')
    parser.add_argument(
        '--runtime',
        default='ort,openvino',
        help=f'comma-separated, of {list(RUNTIMES)} (default both)')
    parser.add_argument('--no-int8', action='store_true', help='evaluate fp32 only')
    parser.add_argument(
        '--calib-count',
        type=int,
        default=CALIB_COUNT,
        help=f'training images that calibrate int8 (default {CALIB_COUNT})')
    parser.add_argument(
        '--no-deploy', action='store_true', help='export without folding the backbone\'s norms')
    parser.add_argument(
        '--keep-float',
        nargs='+',
        default=[],
        metavar='PATTERN',
        help='also evaluate int8 with the convs whose ONNX node names contain a PATTERN '
        f'kept float (e.g. {" ".join(MOGANET_KEEP_FLOAT)}: the 1x1 projections closing '
        'each block\'s two halves, docs/deploy.md)')
    parser.add_argument(
        '--bf16',
        action='store_true',
        help='also evaluate the f32 graph in OpenVINO at bf16 (CPUs with AVX-512 BF16 or '
        'AMX; refused elsewhere, naming what the CPU has)')
    parser.add_argument('--threads', type=int, help='runtime threads (default: theirs)')
    parser.add_argument('--out', help='write the results as JSON here')
    args = parser.parse_args(argv)
    for path in (args.config, args.checkpoint):
        if not os.path.isfile(path):
            sys.exit(f'evaluate: {path!r} does not exist')
    try:
        result = evaluate(
            args.config,
            args.checkpoint,
            args.runtime.split(','),
            int8=not args.no_int8,
            calib_count=args.calib_count,
            deploy=not args.no_deploy,
            keep_float=args.keep_float,
            bf16=args.bf16,
            threads=args.threads)
    except (ExportError, ValueError) as err:
        sys.exit(f'evaluate: {err}')
    print(table(result))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)


if __name__ == '__main__':
    main()
