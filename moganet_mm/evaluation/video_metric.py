# Copyright (c) moganet_mm authors. Licensed under the Apache License 2.0.
"""Video-prediction metrics as OpenSTL defines them (``openstl/core/metrics.py``).

For predicted and true clips of frames in [0, 1]:

- **MSE** / **MAE**: the squared / absolute error *summed over the pixels of a
  frame* (all channels), averaged over frames and clips. On 64x64 Moving MNIST an
  MSE of 25.6 is a mean squared error of 25.6 / 4096 per pixel. Computed on the raw
  prediction (OpenSTL clips only for SSIM and PSNR).
- **SSIM**: per frame and channel, skimage's ``structural_similarity`` as OpenSTL
  called it (7x7 uniform window, sample covariance, K1 0.01, K2 0.03, the map
  cropped by 3 pixels, channels averaged) on the prediction clipped to [0, 1].
  OpenSTL passed float frames without ``data_range``, so skimage used its float
  default, 2 (the span of [-1, 1]); that is kept here (``ssim_data_range``).
- **PSNR**: per frame, ``-10 log10(mean squared error over C, H, W)`` of the
  clipped prediction, averaged over frames and clips.

With ``trivial_baselines=True`` the metric also scores three predictors that need
no model, from each clip's input frames: a blank (all-zero) frame, the mean input
frame, and the last input frame, each repeated for every future frame
(``mse_blank``, ``mse_mean_frame``, ``mse_last_frame``), and ``mse_gain``,
``1 - MSE / (the best of the three)``: the share of the best trivial predictor's
error that the model removes (higher is better; 0.25 means 0.75 of its MSE).
"""
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmengine.evaluator import BaseMetric
from mmengine.registry import METRICS

__all__ = [
    'VideoPredictionMetric', 'clip_sums', 'frame_mse_mae', 'frame_ssim', 'frame_psnr',
    'trivial_predictions'
]

METRIC_NAMES = ('mse', 'mae', 'ssim', 'psnr')
TRIVIAL_PREDICTORS = ('blank', 'mean_frame', 'last_frame')


def trivial_predictions(inputs: torch.Tensor, n_frames: int) -> Dict[str, torch.Tensor]:
    """The three model-free predictions of ``n_frames`` future frames from input
    frames (T, C, H, W): blank, mean input frame, last input frame."""
    shape = (n_frames, *inputs.shape[1:])
    return dict(
        blank=torch.zeros(shape, dtype=inputs.dtype),
        mean_frame=inputs.mean(dim=0, keepdim=True).expand(shape),
        last_frame=inputs[-1:].expand(shape))


def _as_frames(clip: torch.Tensor) -> torch.Tensor:
    """(T, C, H, W) or (B, T, C, H, W) -> (frames, C, H, W) in float64."""
    if clip.dim() == 5:
        clip = clip.flatten(0, 1)
    if clip.dim() != 4:
        raise ValueError(f'Expected clips of shape (T, C, H, W) or (B, T, C, H, W), '
                         f'got {tuple(clip.shape)}')
    return clip.double()


def frame_mse_mae(pred: torch.Tensor, gt: torch.Tensor):
    """Per-frame squared and absolute errors summed over C, H, W (OpenSTL's MSE/MAE
    before averaging over frames)."""
    diff = _as_frames(pred) - _as_frames(gt)
    return diff.pow(2).sum(dim=(1, 2, 3)), diff.abs().sum(dim=(1, 2, 3))


def frame_psnr(pred: torch.Tensor, gt: torch.Tensor) -> torch.Tensor:
    """Per-frame PSNR (peak 1) of the prediction clipped to [0, 1]; inf for an
    exact frame, as OpenSTL."""
    mse = (_as_frames(pred).clamp(0, 1) - _as_frames(gt)).pow(2).mean(dim=(1, 2, 3))
    return -10 * torch.log10(mse)


def frame_ssim(pred: torch.Tensor,
               gt: torch.Tensor,
               data_range: float = 2.,
               win_size: int = 7,
               k1: float = 0.01,
               k2: float = 0.03) -> torch.Tensor:
    """Per-frame SSIM of the prediction clipped to [0, 1], averaged over channels.

    skimage's ``structural_similarity`` with its defaults (uniform window,
    ``use_sample_covariance=True``), whose cropped map is exactly the set of
    windows lying inside the frame: a 'valid' average pool.
    """
    x, y = _as_frames(pred).clamp(0, 1), _as_frames(gt)
    if min(x.shape[-2:]) < win_size:
        raise ValueError(f'SSIM needs frames of at least {win_size}x{win_size} pixels, '
                         f'got {tuple(x.shape[-2:])}')
    frames, channels = x.shape[:2]
    x, y = x.flatten(0, 1)[:, None], y.flatten(0, 1)[:, None]

    def mean(t):
        return F.avg_pool2d(t, win_size, stride=1)

    n = win_size * win_size
    cov_norm = n / (n - 1)
    mu_x, mu_y = mean(x), mean(y)
    var_x = cov_norm * (mean(x * x) - mu_x * mu_x)
    var_y = cov_norm * (mean(y * y) - mu_y * mu_y)
    cov_xy = cov_norm * (mean(x * y) - mu_x * mu_y)
    c1, c2 = (k1 * data_range)**2, (k2 * data_range)**2
    ssim_map = ((2 * mu_x * mu_y + c1) * (2 * cov_xy + c2) / ((mu_x**2 + mu_y**2 + c1) *
                                                              (var_x + var_y + c2)))
    return ssim_map.view(frames, channels, -1).mean(dim=(1, 2))


@METRICS.register_module()
class VideoPredictionMetric(BaseMetric):
    """MSE, MAE, SSIM and PSNR of predicted frames, as OpenSTL reports them.

    Reads, per clip, ``dict(pred=..., gt=...)`` tensors of shape (T, C, H, W) with
    pixels in [0, 1] (what :class:`moganet_mm.models.SimVP` returns in
    ``'predict'`` mode). Every frame of every clip weighs the same.

    Args:
        metric (str | Sequence[str]): Any of ``'mse'``, ``'mae'``, ``'ssim'``,
            ``'psnr'``. Defaults to all four. (Named as mmdet's ``CocoMetric``
            names it: a ``metrics`` key would make MMEngine's Runner read the
            dict as an ``Evaluator``.)
        ssim_data_range (float): The ``data_range`` SSIM's constants use; 2 is
            what OpenSTL's published numbers used (see the module docstring),
            1 the range of the pixels.
        trivial_baselines (bool): Also score the trivial predictors and
            ``mse_gain`` (module docstring); reads the batch's ``inputs``.
        collect_device, prefix: See :class:`mmengine.evaluator.BaseMetric`.
    """
    default_prefix = 'video'

    def __init__(self,
                 metric: Union[str, Sequence[str]] = METRIC_NAMES,
                 ssim_data_range: float = 2.,
                 trivial_baselines: bool = False,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        metrics = [metric] if isinstance(metric, str) else list(metric)
        unknown = [m for m in metrics if m not in METRIC_NAMES]
        if unknown or not metrics:
            raise ValueError(f'Unknown video metric(s) {unknown or metrics}; choose from '
                             f'{METRIC_NAMES}')
        if ssim_data_range <= 0:
            raise ValueError(f'ssim_data_range must be positive, got {ssim_data_range}')
        if trivial_baselines and 'mse' not in metrics:
            raise ValueError("trivial_baselines compares MSEs: add 'mse' to metric")
        self.metrics = metrics
        self.ssim_data_range = float(ssim_data_range)
        self.trivial_baselines = trivial_baselines

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        if self.trivial_baselines:
            inputs = data_batch.get('inputs') if isinstance(data_batch, dict) else None
            if inputs is None or len(inputs) != len(data_samples):
                raise ValueError('trivial_baselines needs the batch\'s input frames as '
                                 "data_batch['inputs'], one clip per prediction")
        for i, sample in enumerate(data_samples):
            if not (isinstance(sample, dict) and 'pred' in sample and 'gt' in sample):
                raise ValueError('VideoPredictionMetric reads dict(pred=..., gt=...) per clip, '
                                 f'got {type(sample).__name__} '
                                 f'{list(sample) if isinstance(sample, dict) else ""}')
            pred, gt = torch.as_tensor(sample['pred']), torch.as_tensor(sample['gt'])
            if pred.shape != gt.shape:
                raise ValueError(f'Predicted {tuple(pred.shape)} and true {tuple(gt.shape)} '
                                 'frames differ in shape')
            sums = clip_sums(pred, gt, self.metrics, self.ssim_data_range)
            if self.trivial_baselines:
                guesses = trivial_predictions(torch.as_tensor(inputs[i]).cpu(), gt.shape[0])
                for name, guess in guesses.items():
                    sums[f'mse_{name}'] = frame_mse_mae(guess, gt)[0].sum().item()
            self.results.append(sums)

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        frames = sum(r['frames'] for r in results)
        names = list(self.metrics)
        if self.trivial_baselines:
            names += [f'mse_{name}' for name in TRIVIAL_PREDICTORS]
        out = {m: sum(r[m] for r in results) / frames for m in names}
        if self.trivial_baselines:
            best = min(out[f'mse_{name}'] for name in TRIVIAL_PREDICTORS)
            out['mse_gain'] = 1 - out['mse'] / best if best > 0 else float('-inf')
        return out


def clip_sums(pred: torch.Tensor,
              gt: torch.Tensor,
              metrics: Sequence[str] = METRIC_NAMES,
              ssim_data_range: float = 2.) -> dict:
    """Per-frame metric values of one clip (or batch), summed over its frames,
    with the number of frames: what :class:`VideoPredictionMetric` averages."""
    sums = dict(frames=_as_frames(pred).shape[0])
    if 'mse' in metrics or 'mae' in metrics:
        se, ae = frame_mse_mae(pred, gt)
        sums.update(mse=se.sum().item(), mae=ae.sum().item())
    if 'ssim' in metrics:
        sums['ssim'] = frame_ssim(pred, gt, ssim_data_range).sum().item()
    if 'psnr' in metrics:
        sums['psnr'] = frame_psnr(pred, gt).sum().item()
    return sums
