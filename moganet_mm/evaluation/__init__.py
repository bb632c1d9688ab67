"""Metrics registered in MMEngine's root ``METRICS``."""
from .video_metric import (VideoPredictionMetric, clip_sums, frame_mse_mae, frame_psnr, frame_ssim,
                           trivial_predictions)

__all__ = [
    'VideoPredictionMetric', 'clip_sums', 'frame_mse_mae', 'frame_psnr', 'frame_ssim',
    'trivial_predictions'
]
