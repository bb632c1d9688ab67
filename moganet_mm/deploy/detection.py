"""Mask R-CNN / Faster R-CNN (mmdet ``TwoStageDetector`` with a ``StandardRoIHead``) as
one exportable graph, with the post-processing mmdeploy adds to it.

Outputs, for a batch of one preprocessed image (N = 1):

- ``dets`` (1, K, 5): boxes ``x1, y1, x2, y2`` in the input's pixels and the score,
  best first, K <= ``test_cfg.rcnn.max_per_img``;
- ``labels`` (1, K): class indices;
- ``masks`` (1, K, M, M), Mask R-CNN only: each box's mask probabilities on the mask
  head's M x M grid (28), for the box's class. Pasting them into the image is left to
  the caller (:func:`paste_masks`), as mmdeploy leaves it to its SDK.

The graph computes what mmdet's ``predict(..., rescale=False)`` computes, step by step:
RPN (per level top ``nms_pre`` by score, delta decoding clipped to the image, boxes
without area dropped, NMS per level, ``max_per_img`` proposals), the box head on the
RoI features of the proposals, per-class box decoding, mmcv's ``multiclass_nms``
(scores above ``score_thr``, NMS per class, ``max_per_img``), and the mask head on
the kept boxes. NMS is ``torchvision.ops.nms`` with mmcv's per-class coordinate
offsets (ONNX ``NonMaxSuppression``); RoI features come from
``torchvision.ops.roi_align`` (ONNX ``RoiAlign`` with ``half_pixel`` coordinates, i.e.
mmcv's ``aligned=True``): standard ONNX ops, no custom-op library to ship.
"""
import math
from typing import List, Optional, Tuple

import numpy as np
import torch
import torch.nn as nn
import torchvision
from torch import Tensor

from .exporter import ExportError
from .spec import ExportSpec


def topk_min(x: Tensor, k: int) -> Tensor:
    """``min(k, len(x))`` as a value the ONNX trace keeps dynamic (a Python ``min``
    of a traced size would be frozen to the example's)."""
    if not torch.jit.is_tracing():
        return min(k, x.shape[0])
    n = torch._shape_as_tensor(x)[0].unsqueeze(0)
    return torch.min(torch.cat([torch.tensor([k]), n]))


def decode_deltas(coder,
                  rois: Tensor,
                  deltas: Tensor,
                  img_hw: Tensor,
                  wh_ratio_clip: float = 16 / 1000) -> Tensor:
    """mmdet's ``delta2bbox`` (``DeltaXYWHBBoxCoder.decode``) for (M, 4) boxes and deltas,
    clipped to the image with the size as a tensor (dynamic in the trace). The coder's
    own ``decode`` takes mmdet 2.x's ONNX branch under export, which imports a module
    that mmdet 3 no longer has."""
    if type(coder).__name__ != 'DeltaXYWHBBoxCoder':
        raise ExportError(f'{type(coder).__name__}: only DeltaXYWHBBoxCoder boxes export')
    deltas = deltas * deltas.new_tensor(coder.stds) + deltas.new_tensor(coder.means)
    pxy, pwh = (rois[:, :2] + rois[:, 2:]) * 0.5, rois[:, 2:] - rois[:, :2]
    dxy_wh, dwh = pwh * deltas[:, :2], deltas[:, 2:]
    max_ratio = abs(math.log(wh_ratio_clip))
    if coder.add_ctr_clamp:
        dxy_wh = dxy_wh.clamp(min=-coder.ctr_clamp, max=coder.ctr_clamp)
        dwh = dwh.clamp(max=max_ratio)
    else:
        dwh = dwh.clamp(min=-max_ratio, max=max_ratio)
    gxy, gwh = pxy + dxy_wh, pwh * dwh.exp()
    boxes = torch.cat([gxy - gwh * 0.5, gxy + gwh * 0.5], dim=-1)
    if coder.clip_border:
        bound = torch.stack([img_hw[1], img_hw[0], img_hw[1], img_hw[0]])
        boxes = torch.minimum(boxes.clamp(min=0), bound)
    return boxes


def batched_nms(boxes: Tensor, scores: Tensor, idxs: Tensor, iou_threshold: float) -> Tensor:
    """Indices kept by NMS run separately per ``idxs`` value, best score first: mmcv's
    ``batched_nms`` (each group's boxes shifted by ``idx * (max coordinate + 1)`` so
    that groups never overlap). The maximum includes 0 so that no boxes is no error
    (the boxes are clipped to the image, hence non-negative)."""
    max_coordinate = torch.cat([boxes.flatten(), boxes.new_zeros(1)]).max()
    offsets = idxs.to(boxes) * (max_coordinate + 1)
    return torchvision.ops.nms(boxes + offsets[:, None], scores, iou_threshold)


class RoIFeatures(nn.Module):
    """mmdet's ``SingleRoIExtractor`` with torchvision's ``roi_align``: each RoI is
    pooled from the FPN level its scale maps to (``floor(log2(sqrt(area) /
    finest_scale))``), all levels in one graph, whatever the number of RoIs."""

    def __init__(self, extractor: nn.Module):
        super().__init__()
        layer = extractor.roi_layers[0]
        if type(layer).__name__ != 'RoIAlign' or getattr(layer, 'pool_mode', 'avg') != 'avg':
            raise ExportError(f'RoI layer {type(layer).__name__}: only avg RoIAlign exports')
        self.extractor = extractor
        self.output_size = tuple(layer.output_size)
        self.sampling_ratio = layer.sampling_ratio
        self.aligned = layer.aligned
        self.scales = [1 / s for s in extractor.featmap_strides]

    def forward(self, feats: Tuple[Tensor], rois: Tensor) -> Tensor:
        target = self.extractor.map_roi_levels(rois, len(self.scales))
        pooled, order = [], []
        for i, scale in enumerate(self.scales):
            inds = (target == i).nonzero().squeeze(1)
            pooled.append(
                torchvision.ops.roi_align(feats[i], rois[inds], self.output_size, scale,
                                          self.sampling_ratio, self.aligned))
            order.append(inds)
        # back to the RoIs' order by a gather: a scatter into a zero tensor exports as
        # ScatterND with a shape frozen from the example, which fails on empty levels
        return torch.cat(pooled)[torch.cat(order).argsort()]


class TwoStageDetector(nn.Module):
    """A mmdet ``TwoStageDetector`` with an RPN and a ``StandardRoIHead``, as tensors."""

    def __init__(self, detector: nn.Module):
        super().__init__()
        roi_head = detector.roi_head
        if type(roi_head).__name__ != 'StandardRoIHead':
            raise ExportError(f'{type(detector).__name__} with {type(roi_head).__name__}: '
                              'only StandardRoIHead (Faster / Mask R-CNN) exports')
        if roi_head.with_shared_head or roi_head.bbox_head.reg_class_agnostic:
            raise ExportError('shared RoI heads and class-agnostic box regression '
                              'are not supported by this export')
        self.detector = detector
        self.bbox_rois = RoIFeatures(roi_head.bbox_roi_extractor)
        self.with_mask = roi_head.with_mask
        if self.with_mask:
            if roi_head.share_roi_extractor:
                raise ExportError('a mask head sharing the box RoI extractor does not export')
            self.mask_rois = RoIFeatures(roi_head.mask_roi_extractor)
        self.rpn_cfg = detector.test_cfg.rpn
        self.rcnn_cfg = detector.test_cfg.rcnn

    def rpn(self, feats: Tuple[Tensor], img_hw: Tensor) -> Tensor:
        """Proposals (P, 4) of ``RPNHead.predict`` for image 0."""
        head, cfg = self.detector.rpn_head, self.rpn_cfg
        cls_scores, bbox_preds = head(feats)
        priors = head.prior_generator.grid_priors([s.shape[-2:] for s in cls_scores],
                                                  dtype=cls_scores[0].dtype,
                                                  device=cls_scores[0].device)
        scores, deltas, anchors, levels = [], [], [], []
        for level, (score, delta, prior) in enumerate(zip(cls_scores, bbox_preds, priors)):
            score = score[0].permute(1, 2, 0).reshape(-1, head.cls_out_channels)
            score = (score.sigmoid()
                     if head.use_sigmoid_cls else score.softmax(-1)[:, :-1]).reshape(-1)
            top, inds = score.topk(topk_min(score, cfg.nms_pre))
            scores.append(top)
            deltas.append(delta[0].permute(1, 2, 0).reshape(-1, 4)[inds])
            anchors.append(prior[inds])
            levels.append(torch.full_like(inds, level))
        scores, levels = torch.cat(scores), torch.cat(levels)
        boxes = decode_deltas(head.bbox_coder, torch.cat(anchors), torch.cat(deltas), img_hw)
        if cfg.get('min_bbox_size', -1) >= 0:
            wh = boxes[:, 2:] - boxes[:, :2]
            valid = ((wh[:, 0] > cfg.min_bbox_size) & (wh[:, 1] > cfg.min_bbox_size))
            valid = valid.nonzero().squeeze(1)
            boxes, scores, levels = boxes[valid], scores[valid], levels[valid]
        keep = batched_nms(boxes, scores, levels, cfg.nms.iou_threshold)
        return boxes[keep[:cfg.max_per_img]]

    def boxes(self, feats: Tuple[Tensor], proposals: Tensor,
              img_hw: Tensor) -> Tuple[Tensor, Tensor]:
        """(dets (K, 5), labels (K,)) of ``StandardRoIHead.predict_bbox``."""
        head, cfg = self.detector.roi_head.bbox_head, self.rcnn_cfg
        rois = torch.cat([proposals.new_zeros(proposals.shape[0], 1), proposals], dim=1)
        cls_score, bbox_pred = head(self.bbox_rois(feats[:len(self.bbox_rois.scales)], rois))
        scores = cls_score.softmax(-1)[:, :-1]  # the last class is the background
        num_classes = scores.shape[1]
        boxes = decode_deltas(head.bbox_coder, proposals.repeat_interleave(num_classes, dim=0),
                              bbox_pred.reshape(-1, 4), img_hw)
        # mmcv's multiclass_nms: every (box, class) pair above score_thr, NMS per class
        scores = scores.reshape(-1)
        labels = torch.arange(num_classes, device=scores.device).repeat(proposals.shape[0])
        valid = (scores > cfg.score_thr).nonzero().squeeze(1)
        boxes, scores, labels = boxes[valid], scores[valid], labels[valid]
        keep = batched_nms(boxes, scores, labels, cfg.nms.iou_threshold)[:cfg.max_per_img]
        return torch.cat([boxes[keep], scores[keep, None]], dim=1), labels[keep]

    def masks(self, feats: Tuple[Tensor], dets: Tensor, labels: Tensor) -> Tensor:
        """(K, M, M) mask probabilities of each kept box for its class."""
        roi_head = self.detector.roi_head
        rois = torch.cat([dets.new_zeros(dets.shape[0], 1), dets[:, :4]], dim=1)
        mask_preds = roi_head.mask_head(self.mask_rois(feats[:len(self.mask_rois.scales)], rois))
        return mask_preds[torch.arange(labels.shape[0], device=labels.device), labels].sigmoid()

    def forward(self, x: Tensor):
        feats = self.detector.extract_feat(x)
        img_hw = torch._shape_as_tensor(x)[2:].to(x.dtype)  # traced: stays dynamic
        proposals = self.rpn(feats, img_hw)
        dets, labels = self.boxes(feats, proposals, img_hw)
        if not self.with_mask:
            return dets[None], labels[None]
        return dets[None], labels[None], self.masks(feats, dets, labels)[None]


def detector_spec(cfg, model: nn.Module):
    if not (hasattr(model, 'rpn_head') and hasattr(model, 'roi_head')):
        raise ExportError(f'{type(model).__name__}: this tool exports two-stage detectors '
                          '(Faster / Mask R-CNN with a StandardRoIHead); see docs/deploy.md')
    module = TwoStageDetector(model)
    names = ['dets', 'labels'] + (['masks'] if module.with_mask else [])
    return ExportSpec(
        module,
        'detector',
        names, (800, 1216),
        fixed_batch=1,
        data_dependent_axes={n: {
            1: 'num_dets'
        }
                             for n in names},
        notes=[
            'batch 1; masks are M x M per box, paste with '
            'moganet_mm.deploy.detection.paste_masks'
        ])


def paste_masks(masks: np.ndarray,
                dets: np.ndarray,
                img_hw: Tuple[int, int],
                threshold: Optional[float] = 0.5) -> np.ndarray:
    """(K, H, W) image masks from the graph's (K, M, M) box masks, pasted as mmdet's
    ``FCNMaskHead`` pastes them (``_do_paste_mask``), binarized at ``threshold``
    (the config's ``mask_thr_binary``; None keeps probabilities)."""
    from mmdet.models.roi_heads.mask_heads.fcn_mask_head import _do_paste_mask
    h, w = img_hw
    if len(masks) == 0:
        return np.zeros((0, h, w), dtype=bool if threshold is not None else np.float32)
    pasted, _ = _do_paste_mask(
        torch.from_numpy(masks)[:, None], torch.from_numpy(dets[:, :4]), h, w, skip_empty=False)
    pasted = pasted.numpy()
    return pasted >= threshold if threshold is not None else pasted


def predictions(outputs: List[np.ndarray], img_hw: Tuple[int, int], mask_thr: float = 0.5) -> dict:
    """The graph's outputs for image 0 as mmdet's ``pred_instances`` fields
    (``bboxes``, ``scores``, ``labels``, ``masks``)."""
    dets, labels = outputs[0][0], outputs[1][0]
    out = dict(bboxes=dets[:, :4], scores=dets[:, 4], labels=labels)
    if len(outputs) > 2:
        out['masks'] = paste_masks(outputs[2][0], dets, img_hw, mask_thr)
    return out
