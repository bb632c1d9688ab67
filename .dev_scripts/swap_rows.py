"""The compatibility matrix: MogaNet swapped into the codebases' own configs.

Each :class:`Row` names a config of mmdet, mmseg, mmpose or mmpretrain. For each,
:func:`run_row` swaps in MogaNet (``tools/swap_backbone.py``'s function, no
pretrained weights), builds the swapped config, runs one training step on a small
synthetic batch of the codebase's own data format (finite losses, non-zero
gradients in the backbone, the optimizer built from the config's own
``optim_wrapper``), one predict (the codebase's data samples come back) and counts
params and FLOPs at the small input with MMEngine's ``get_model_complexity_info``.
"""
import copy
import math
import os
import tempfile
import time
import traceback
from dataclasses import dataclass
from typing import Optional, Tuple

import numpy as np
import torch
from mmengine.analysis import get_model_complexity_info
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.model import revert_sync_batchnorm
from mmengine.optim import build_optim_wrapper

from moganet_mm.codebases import build_model, in_scope
from moganet_mm.swap import swap_backbone

import swap_synthetic as synthetic
from swap_pose_synthetic import pose_batch


@dataclass(frozen=True)
class Row:
    codebase: str
    config: str  # under the codebase's configs/
    family: str
    size: Optional[Tuple[int, int]] = None  # input (H, W); None: the codebase default
    #: why the codebase cannot train this config at all (then only predict is run)
    no_training: Optional[str] = None

    @property
    def src(self) -> str:
        return f'{self.codebase}::{self.config}'

    @property
    def id(self) -> str:
        return f'{self.codebase}:{self.family}'


ROWS = (
    # mmdet: two-stage, one-stage, instance, query-based, real-time
    Row('mmdet', 'faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py', 'Faster R-CNN'),
    Row('mmdet', 'retinanet/retinanet_r50_fpn_1x_coco.py', 'RetinaNet'),
    Row('mmdet', 'fcos/fcos_r50-caffe_fpn_gn-head_1x_coco.py', 'FCOS'),
    Row('mmdet', 'atss/atss_r50_fpn_1x_coco.py', 'ATSS'),
    Row('mmdet', 'gfl/gfl_r50_fpn_1x_coco.py', 'GFL'),
    Row('mmdet', 'tood/tood_r50_fpn_1x_coco.py', 'TOOD'),
    Row('mmdet', 'cascade_rcnn/cascade-mask-rcnn_r50_fpn_1x_coco.py', 'Cascade Mask R-CNN'),
    Row('mmdet', 'solov2/solov2_r50_fpn_1x_coco.py', 'SOLOv2'),
    Row('mmdet', 'point_rend/point-rend_r50-caffe_fpn_ms-1x_coco.py', 'PointRend'),
    Row('mmdet', 'sparse_rcnn/sparse-rcnn_r50_fpn_1x_coco.py', 'Sparse R-CNN'),
    Row('mmdet', 'detr/detr_r50_8xb2-150e_coco.py', 'DETR'),
    Row('mmdet', 'deformable_detr/deformable-detr_r50_16xb2-50e_coco.py', 'Deformable DETR'),
    # DINO picks 900 queries from the encoder's tokens: 128x128 gives only 340
    Row('mmdet', 'dino/dino-4scale_r50_8xb2-12e_coco.py', 'DINO', size=(256, 256)),
    Row('mmdet', 'mask2former/mask2former_r50_8xb2-lsj-50e_coco.py', 'Mask2Former instance'),
    Row('mmdet', 'mask2former/mask2former_r50_8xb2-lsj-50e_coco-panoptic.py',
        'Mask2Former panoptic'),
    Row('mmdet', 'rtmdet/rtmdet_tiny_8xb32-300e_coco.py', 'RTMDet'),
    Row('mmdet', 'yolox/yolox_tiny_8xb8-300e_coco.py', 'YOLOX'),
    Row('mmdet', 'convnext/cascade-mask-rcnn_convnext-t-p4-w7_fpn_4conv1fc-giou_amp-ms-crop-'
        '3x_coco.py', 'ConvNeXt Cascade (layer decay)'),
    # mmseg
    Row('mmseg', 'pspnet/pspnet_r50-d8_4xb4-80k_ade20k-512x512.py', 'PSPNet'),
    Row('mmseg', 'deeplabv3plus/deeplabv3plus_r50-d8_4xb4-80k_ade20k-512x512.py', 'DeepLabV3+'),
    Row('mmseg', 'ocrnet/ocrnet_hr18_4xb4-80k_ade20k-512x512.py', 'OCRNet'),
    Row('mmseg', 'upernet/upernet_r50_4xb4-80k_ade20k-512x512.py', 'UPerNet'),
    Row('mmseg', 'segformer/segformer_mit-b0_8xb2-160k_ade20k-512x512.py', 'SegFormer head'),
    Row('mmseg', 'segnext/segnext_mscan-t_1xb16-adamw-160k_ade20k-512x512.py',
        'SegNeXt (Ham head)'),
    Row('mmseg', 'knet/knet-s3_r50-d8_upernet_8xb2-adamw-80k_ade20k-512x512.py', 'KNet'),
    Row('mmseg', 'mask2former/mask2former_r50_8xb2-160k_ade20k-512x512.py', 'Mask2Former'),
    Row('mmseg', 'convnext/convnext-tiny_upernet_8xb2-amp-160k_ade20k-512x512.py',
        'ConvNeXt UPerNet (layer decay)'),
    # mmpose
    Row('mmpose', 'body_2d_keypoint/topdown_heatmap/coco/td-hm_res50_8xb64-210e_coco-256x192.py',
        'TopDown heatmap'),
    Row('mmpose', 'body_2d_keypoint/simcc/coco/simcc_res50_8xb64-210e_coco-256x192.py', 'SimCC'),
    Row('mmpose', 'body_2d_keypoint/rtmpose/coco/rtmpose-t_8xb256-420e_coco-256x192.py', 'RTMPose'),
    Row('mmpose', 'body_2d_keypoint/topdown_regression/coco/'
        'td-reg_res50_rle-8xb64-210e_coco-256x192.py', 'RLE regression'),
    Row('mmpose', 'body_2d_keypoint/integral_regression/coco/'
        'ipr_res50_dsnt-8xb64-210e_coco-256x256.py', 'Integral regression (DSNT)'),
    Row('mmpose', 'body_2d_keypoint/associative_embedding/coco/'
        'ae_hrnet-w32_8xb24-300e_coco-512x512.py',
        'Associative embedding',
        no_training='mmpose 1.3.2 ships AE for inference only: its train_pipeline is [] '
        'and PackPoseInputs drops the keypoint_indices that AssociativeEmbeddingHead.loss '
        'reads, with any backbone'),
    Row('mmpose', 'body_2d_keypoint/dekr/coco/dekr_hrnet-w32_8xb10-140e_coco-512x512.py', 'DEKR'),
    Row('mmpose', 'body_2d_keypoint/rtmo/coco/rtmo-s_8xb32-600e_coco-640x640.py', 'RTMO'),
    Row('mmpose', 'face_2d_keypoint/rtmpose/wflw/rtmpose-m_8xb64-60e_wflw-256x256.py',
        'Face RTMPose (WFLW)'),
    Row(
        'mmpose', 'hand_2d_keypoint/topdown_heatmap/onehand10k/'
        'td-hm_res50_8xb32-210e_onehand10k-256x256.py', 'Hand heatmap (OneHand10K)'),
    Row('mmpose', 'hand_3d_keypoint/internet/interhand3d/'
        'internet_res50_4xb16-20e_interhand3d-256x256.py', 'InterNet 3D hand'),
    # mmpretrain
    Row('mmpretrain', 'resnet/resnet50_8xb32_in1k.py', 'ResNet-50 classifier'),
    Row('mmpretrain', 'mobilenet_v3/mobilenet-v3-small_8xb128_in1k.py', 'StackedLinearClsHead'),
    Row('mmpretrain', 'convnext/convnext-tiny_32xb128_in1k.py', 'ConvNeXt classifier'),
)

#: small inputs per codebase (pose models keep their codec's input size)
DEFAULT_SIZE = dict(mmdet=(128, 128), mmseg=(128, 128), mmpretrain=(64, 64))
DATA_SAMPLE = dict(
    mmdet='mmdet.structures.DetDataSample',
    mmseg='mmseg.structures.SegDataSample',
    mmpose='mmpose.structures.PoseDataSample',
    mmpretrain='mmpretrain.structures.DataSample')


def _cpu_optim_wrapper(cfg):
    """The config's optim_wrapper, with AMP (CUDA only in MMEngine) as a plain one."""
    ow = copy.deepcopy(cfg.optim_wrapper)
    if ow.get('type') == 'AmpOptimWrapper':
        ow['type'] = 'OptimWrapper'
        for key in ('loss_scale', 'dtype'):
            ow.pop(key, None)
    return ow


def _small_input(cfg, codebase, size):
    """Shrink what fixes the input size for the matrix's small batches: mmseg's padding
    size, mmdet's and mmpose's multi-scale batch resizing (augmentation, not the model)."""
    pre = cfg.model.get('data_preprocessor')
    if pre is None:
        return
    if codebase == 'mmseg' and pre.get('size') is not None:
        pre['size'] = tuple(size)
    if codebase in ('mmdet', 'mmpose') and pre.get('batch_augments'):
        pre['batch_augments'] = None
    if codebase == 'mmdet':
        _few_rois(cfg.model)


#: RPN proposals and sampled RoIs for the matrix's 128x128 images (the configs' 1000-2000
#: proposals and 512 RoIs per image make the 4conv cascade heads cost >100 GMACs a step)
FEW_PROPOSALS, FEW_ROIS = 100, 64


def _few_rois(model_cfg):
    for key in ('train_cfg', 'test_cfg'):
        node = model_cfg.get(key) or {}
        for rpn in ('rpn', 'rpn_proposal'):
            if isinstance(node.get(rpn), dict):
                node[rpn]['max_per_img'] = min(node[rpn].get('max_per_img', FEW_PROPOSALS),
                                               FEW_PROPOSALS)
                node[rpn]['nms_pre'] = min(node[rpn].get('nms_pre', 2 * FEW_PROPOSALS),
                                           2 * FEW_PROPOSALS)
        rcnn = node.get('rcnn')
        for stage in (rcnn if isinstance(rcnn, list) else [rcnn]):
            if isinstance(stage, dict) and isinstance(stage.get('sampler'), dict) \
                    and 'num' in stage['sampler']:
                stage['sampler']['num'] = min(stage['sampler']['num'], FEW_ROIS)


def _drop_pretrained(node, path='model'):
    """Remove ``Pretrained`` init_cfgs from a model config (the matrix runs offline:
    e.g. DEKR's rescore net downloads its weights); returns where they were."""
    found = []
    if isinstance(node, dict):
        init = node.get('init_cfg')
        if isinstance(init, dict) and init.get('type') == 'Pretrained':
            node['init_cfg'] = None
            found.append(f'{path}.init_cfg')
        for k, v in node.items():
            found += _drop_pretrained(v, f'{path}.{k}')
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found += _drop_pretrained(v, f'{path}[{i}]')
    return found


class RowFailure(Exception):
    """A stage of a row failed; the message says which and why."""


def _import_object(dotted):
    module, name = dotted.rsplit('.', 1)
    return getattr(__import__(module, fromlist=[name]), name)


def batch_for(codebase, cfg, size, batch=2, seed=0, split='train'):
    """A synthetic batch in the codebase's format; mmpose's goes through the ``split``
    pipeline (the others' data samples serve training and predict alike)."""
    if codebase == 'mmdet':
        return synthetic.det_batch(cfg.model, size, batch, seed)
    if codebase == 'mmseg':
        return synthetic.seg_batch(cfg.model, size, batch, seed)
    if codebase == 'mmpretrain':
        return synthetic.cls_batch(cfg.model, size, batch, seed)
    return pose_batch(cfg, batch, seed, split)


def _train_step(model, cfg, data, scope) -> float:
    """One step with the config's own optim_wrapper: finite losses, backbone
    gradients; returns the loss."""
    with in_scope(scope):
        optim_wrapper = build_optim_wrapper(model, _cpu_optim_wrapper(cfg))
    # what the Runner's loops publish and some heads read (TOOD: the epoch)
    hub = MessageHub.get_current_instance()
    for key, value in (('epoch', 0), ('iter', 0), ('max_epochs', 12), ('max_iters', 1000)):
        hub.update_info(key, value)
    model.train()
    batch = model.data_preprocessor(copy.deepcopy(data), True)
    losses = model._run_forward(batch, mode='loss')
    loss, log_vars = model.parse_losses(losses)
    values = {k: float(torch.as_tensor(v).detach()) for k, v in log_vars.items()}
    bad = {k: v for k, v in values.items() if not math.isfinite(v)}
    if bad or not torch.isfinite(loss):
        raise RowFailure(f'non-finite losses {bad or float(loss.detach())}')
    optim_wrapper.zero_grad()
    loss.backward()
    grads = [p.grad for p in model.backbone.parameters() if p.grad is not None]
    if not grads or not any(bool(g.abs().sum() > 0) for g in grads):
        raise RowFailure('no gradient reached the backbone')
    optim_wrapper.step()
    return round(loss.item(), 4)


def _bare_pose_batch(cfg, seed):
    """Inputs and bare data samples for a pose config that cannot train (the codec's
    input size, the metainfo a predict reads)."""
    from mmpose.structures import PoseDataSample
    w, h = cfg.codec['input_size']
    rng = np.random.RandomState(seed)
    sample = PoseDataSample(
        metainfo=dict(
            img_shape=(h, w),
            ori_shape=(h, w),
            input_size=(w, h),
            input_center=np.array([w / 2, h / 2]),
            input_scale=np.array([w, h], np.float32),
            id=0,
            img_id=0,
            flip_indices=list(range(cfg.model.head.get('num_keypoints', 17)))))
    return dict(
        inputs=[torch.from_numpy(rng.randint(0, 256, (3, h, w), dtype=np.uint8))],
        data_samples=[sample])


class _TensorForward(torch.nn.Module):
    """``model(inputs, data_samples, mode='tensor')`` as a one-input module for FLOP counting."""

    def __init__(self, model, data_samples):
        super().__init__()
        self.model, self.data_samples = model, data_samples

    def forward(self, inputs):
        return self.model(inputs, self.data_samples, mode='tensor')


def run_row(row: Row, arch: str = 'xt', seed: int = 0) -> dict:
    """Swap, build, train one step, predict, count; a dict row for the table."""
    torch.manual_seed(seed)
    start = time.perf_counter()
    result = dict(
        codebase=row.codebase,
        config=row.config,
        family=row.family,
        arch=arch,
        status='fails',
        stage=None,
        reason=None,
        params_M=None,
        flops_G=None,
        input=None,
        seconds=None,
        edits=[],
        warnings=[],
        notes=[])
    times, stage, t0 = {}, 'swap', time.perf_counter()

    def mark(next_stage):  # seconds per stage, for finding what makes a row slow
        nonlocal stage, t0
        now = time.perf_counter()
        times[stage] = round(now - t0, 1)
        stage, t0 = next_stage, now

    try:
        plan = swap_backbone(row.src, arch=arch, pretrained='none', check=False)
        result.update(
            edits=[str(e) for e in plan.edits],
            warnings=plan.warnings,
            notes=plan.notes,
            out_indices=list(plan.out_indices))
        mark('build')
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'swapped.py')
            with open(path, 'w') as f:
                f.write(plan.text)
            cfg = Config.fromfile(path)
        if cfg.get('data_preprocessor') is not None:  # as MMEngine's Runner does
            cfg.model.setdefault('data_preprocessor', cfg.data_preprocessor)
        size = row.size or DEFAULT_SIZE.get(row.codebase)
        _small_input(cfg, row.codebase, size)
        skipped = _drop_pretrained(cfg.model)
        if skipped:
            result['notes'] = result['notes'] + [f'offline: not loaded {", ".join(skipped)}']
        model = revert_sync_batchnorm(build_model(cfg.model, plan.scope))
        model.init_weights()  # each module's own init (heads' zero/prior inits included)
        mark('train step')
        if row.no_training and row.codebase == 'mmpose':
            data = test_data = _bare_pose_batch(cfg, seed)
        else:
            data = batch_for(row.codebase, cfg, size, seed=seed)
            test_data = (
                batch_for(row.codebase, cfg, size, batch=1, seed=seed, split='val')
                if row.codebase == 'mmpose' else data)
        result['input'] = 'x'.join(map(str, data['inputs'][0].shape[-2:]))
        if not row.no_training:
            result['loss'] = _train_step(model, cfg, data, plan.scope)
        mark('predict')
        model.eval()
        with torch.no_grad():
            # one image: some heads predict one at a time (DEKR asserts batch size 1)
            preds = model.val_step(
                dict(
                    inputs=test_data['inputs'][:1],
                    data_samples=copy.deepcopy(test_data['data_samples'][:1])))
        kind = _import_object(DATA_SAMPLE[row.codebase])
        if not preds or not all(isinstance(p, kind) for p in preds):
            raise RowFailure(f'predict returned {[type(p).__name__ for p in preds][:3]}, '
                             f'not {kind.__name__}')
        mark('count')
        result['params_M'] = round(sum(p.numel() for p in model.parameters()) / 1e6, 2)
        one = model.data_preprocessor(
            dict(inputs=data['inputs'][:1], data_samples=data['data_samples'][:1]), False)
        try:
            with torch.no_grad():
                info = get_model_complexity_info(
                    _TensorForward(model, one['data_samples']).eval(),
                    inputs=(one['inputs'], ),
                    show_table=False,
                    show_arch=False)
            result['flops_G'] = round(info['flops'] / 1e9, 2)
        except Exception as e:  # noqa: BLE001 -- FLOPs are reported as missing, with why
            result['flops_note'] = f'{type(e).__name__}: {e}'.splitlines()[0][:160]
        mark('done')
        result['status'] = 'predict only' if row.no_training else 'works'
        result['reason'] = row.no_training
    except Exception as e:  # noqa: BLE001 -- every failure becomes the row's reason
        result['stage'] = stage
        result['reason'] = f'{type(e).__name__}: {e}'.splitlines()[0][:300]
        result['traceback'] = traceback.format_exc(limit=-4)
    result['seconds'] = round(time.perf_counter() - start, 1)
    result['stage_seconds'] = times
    return result
