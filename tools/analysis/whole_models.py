"""The whole-model rows of the speed benchmark: Mask R-CNN 1x, UperNet and TopDown with
MogaNet-S beside the same model with ResNet-50, Swin-T and ConvNeXt-T from the
codebases' own configs (mmpose 1.3 has no ConvNeXt top-down config, so TopDown has
no ConvNeXt-T row), every model through every path: eager, its fastest torch path
(channels_last + ``torch.compile`` of the backbone), ONNX Runtime and OpenVINO at f32
and int8 (:data:`VARIANTS`); MogaNet also in deploy mode, and its fastest and
exported rows are of the deploy-mode model.

Every row runs the export wrapper of :mod:`moganet_mm.deploy.models` (the preprocessed
image in, boxes + masks / class map / keypoints out), in torch or through a runtime,
so that every row does the same post-processing. Weights are freshly
initialized (speed does not depend on them), with one exception: a fresh detector
scores every class near 1/81, below ``score_thr``, so its mask head would never
run; each detector's box classifier is biased towards one class so that every image
keeps ``max_per_img`` (100) detections and the mask head runs on 100 RoIs, the
paper's FLOP-counting convention. The int8 rows are calibrated on two seeded random
inputs: their speed, not their accuracy (docs/deploy.md has that).
"""
import os
from typing import Callable, Dict, Tuple

import torch
import torch.nn as nn

from moganet_mm.deploy import (build_model, export, export_spec, load_config, quantize,
                               switch_to_deploy)
from moganet_mm.deploy.cli import open_runtime
from tools.paths import REPO

#: task -> (input (H, W) at the paper's size, {model name: config})
TASKS = {
    'mask_rcnn': ((800, 1280), {
        'moganet_s':
        'configs/det/mask_rcnn_moganet_s_1x.py',
        'resnet50':
        'mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py',
        'swin_t':
        'mmdet::swin/mask-rcnn_swin-t-p4-w7_fpn_1x_coco.py',
        'convnext_t':
        'mmdet::convnext/mask-rcnn_convnext-t-p4-w7_fpn_amp-ms-crop-3x_coco.py',
    }),
    'upernet': ((512, 2048), {
        'moganet_s':
        'configs/seg/upernet_moganet_s_160k_ade20k.py',
        'resnet50':
        'mmseg::upernet/upernet_r50_4xb4-160k_ade20k-512x512.py',
        'swin_t':
        'mmseg::swin/swin-tiny-patch4-window7-in1k-pre_upernet_8xb2-160k_ade20k-512x512.py',
        'convnext_t':
        'mmseg::convnext/convnext-tiny_upernet_8xb2-amp-160k_ade20k-512x512.py',
    }),
    'topdown': (
        (256, 192),
        {
            'moganet_s':
            'configs/pose/topdown_moganet_s_coco_256x192.py',
            'resnet50':
            'mmpose::body_2d_keypoint/topdown_heatmap/coco/td-hm_res50_8xb64-210e_coco-256x192.py',
            'swin_t':
            'mmpose::body_2d_keypoint/topdown_heatmap/coco/'
            'td-hm_swin-t-p4-w7_8xb32-210e_coco-256x192.py',
            # mmpose 1.3 has no ConvNeXt top-down config
        }),
}
#: every model's rows; MogaNet has a deploy row as well
VARIANTS = ('eager', 'fastest', 'ort', 'ov', 'ort-int8', 'ov-int8')
MOGANET_VARIANTS = ('eager', 'deploy') + VARIANTS[1:]
#: the rows run by a runtime from an ONNX export, and those OpenVINO runs (CPU only)
EXPORTED = ('ort', 'ov', 'ort-int8', 'ov-int8')
CPU_ONLY = ('ov', 'ort-int8', 'ov-int8')


def all_rows():
    return [
        f'{task}:{name}:{v}' for task, (_, cfgs) in TASKS.items() for name in cfgs
        for v in (MOGANET_VARIANTS if name.startswith('moganet') else VARIANTS)
    ]


def peer_variant(row: str) -> str:
    """The ResNet-50 variant a row is compared with: the same path (MogaNet's deploy
    row against eager, the path it replaces)."""
    variant = row.split(':')[2]
    return 'eager' if variant == 'deploy' else variant


def load(task: str, name: str):
    """(config, model) of a row, freshly initialized, eval mode, on the CPU."""
    path = TASKS[task][1][name]
    cfg = load_config(path if '::' in path else str(REPO / path))
    if task == 'upernet':  # one whole 2048x512 forward for every row (mmseg's Swin and
        cfg.model.test_cfg = dict(mode='whole')  # ConvNeXt configs slide 512 crops)
    model = build_model(cfg, None)
    if task == 'mask_rcnn':
        with torch.no_grad():  # every proposal scores class 0 high: 100 detections
            model.roi_head.bbox_head.fc_cls.bias[0] += 10
    return cfg, model


class FastBackbone(nn.Module):
    """The fastest torch path of docs/speed.md for a backbone inside a task model:
    channels_last + ``torch.compile`` (with freezing on the CPU, as the backbone rows);
    the outputs are returned as contiguous NCHW maps for the necks and heads (RoI ops
    read NCHW)."""

    def __init__(self, backbone: nn.Module, device: str = 'cpu'):
        super().__init__()
        self.backbone = backbone.to(memory_format=torch.channels_last)
        self.compiled = torch.compile(
            self.backbone, dynamic=False, options=dict(freezing=device == 'cpu'))

    def forward(self, x):
        outs = self.compiled(x.contiguous(memory_format=torch.channels_last))
        return tuple(o.contiguous() for o in outs)


def prepare(row: str, work_dir: str, threads: int, device: str = 'cpu') -> Tuple[Callable, Dict]:
    """A callable running the row on a preprocessed batch (on ``device``), and facts
    about the row. On 'cuda' the ONNX Runtime row runs on its CUDA provider."""
    task, name, variant = row.split(':')
    cfg, model = load(task, name)
    if name.startswith('moganet') and variant != 'eager':
        switch_to_deploy(model)
    if variant == 'fastest':
        model.backbone = FastBackbone(model.backbone, device)
    spec = export_spec(cfg, model)
    info = dict(
        params_M=sum(p.numel() for p in model.parameters()) / 1e6,
        precision=quantize.DESCRIPTION if variant.endswith('int8') else 'f32')
    if variant in EXPORTED:
        h, w = TASKS[task][0]
        path = os.path.join(work_dir, f'{task}_{name}.onnx')
        if not os.path.exists(path):  # one export for the ort and ov rows
            export(spec.module, torch.randn(1, 3, h, w), path, spec.output_names,
                   spec.dynamic_axes(False))
        if variant.endswith('int8'):
            int8 = path[:-len('.onnx')] + '.int8.onnx'
            if not os.path.exists(int8):
                g = torch.Generator().manual_seed(0)
                quantize.quantize(path, int8,
                                  [torch.randn(1, 3, h, w, generator=g) for _ in range(2)])
            path = int8
        # OpenVINO at f32 set, not its default (bf16 where the CPU has it)
        return open_runtime(
            'openvino' if variant.startswith('ov') else 'ort',
            path,
            'f32',
            threads=threads,
            device=device)[0], info
    module = spec.module.to(device)

    def forward(x):
        with torch.inference_mode():
            out = module(x)
        if device == 'cuda':
            torch.cuda.synchronize()
        return out

    return forward, info
