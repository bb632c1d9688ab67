"""OpenSTL's video metrics, against values computed by hand."""
import math

import pytest
import torch

from moganet_mm.evaluation import (VideoPredictionMetric, frame_mse_mae, frame_psnr, frame_ssim,
                                   trivial_predictions)


def evaluate(metric, clips, inputs=None):
    samples = [dict(pred=p, gt=g) for p, g in clips]
    batch = dict(inputs=torch.stack(inputs)) if inputs is not None else None
    metric.process(batch, samples)
    return metric.compute_metrics(metric.results)


def test_mse_mae_are_per_frame_pixel_sums_averaged_over_frames():
    # clip 1: 2 frames of 1x4x4; frame 0 off by 0.5 on 4 pixels, frame 1 exact
    gt1 = torch.zeros(2, 1, 4, 4)
    pred1 = gt1.clone()
    pred1[0, 0, :2, :2] = 0.5
    # clip 2: 2 frames, every pixel off by 0.25 (16 pixels)
    gt2 = torch.full((2, 1, 4, 4), 0.5)
    pred2 = gt2 + 0.25
    res = evaluate(VideoPredictionMetric(metric=['mse', 'mae']), [(pred1, gt1), (pred2, gt2)])
    # per-frame sums: SE 4*0.25=1, 0, 16*0.0625=1, 1 -> mean 0.75; AE 2, 0, 4, 4 -> 2.5
    assert res['mse'] == pytest.approx(0.75)
    assert res['mae'] == pytest.approx(2.5)


def test_mse_sums_over_channels_and_is_not_clipped():
    gt = torch.zeros(1, 3, 2, 2)
    pred = torch.full((1, 3, 2, 2), -1.0)  # outside [0, 1]: OpenSTL's MSE does not clip
    se, ae = frame_mse_mae(pred, gt)
    assert se.tolist() == [12.0] and ae.tolist() == [12.0]


def test_psnr_per_frame_on_clipped_prediction():
    gt = torch.zeros(2, 1, 8, 8)
    pred = torch.full((2, 1, 8, 8), 0.1)
    pred[1] = 2.0  # clipped to 1: mse 1 -> 0 dB
    assert frame_psnr(pred, gt).tolist() == pytest.approx([20.0, 0.0])
    assert frame_psnr(gt, gt).tolist() == [math.inf, math.inf]  # as OpenSTL


def test_ssim_of_constant_frames():
    """Flat frames a, b: SSIM = (2ab + C1) / (a^2 + b^2 + C1), C1 = (0.01 R)^2."""
    a, b = 0.25, 0.625  # exact in float32
    pred, gt = torch.full((1, 1, 16, 16), a), torch.full((1, 1, 16, 16), b)
    for data_range in (2., 1.):
        c1 = (0.01 * data_range)**2
        expected = (2 * a * b + c1) / (a * a + b * b + c1)
        assert frame_ssim(pred, gt, data_range).item() == pytest.approx(expected, rel=1e-9)
    assert frame_ssim(gt, gt).item() == pytest.approx(1.0)


def test_ssim_of_an_edge_by_hand():
    """An 8x8 frame, left half 0 / right half 1, against itself shifted: the two
    7x7 windows of the valid map, computed by hand with sample (co)variances."""
    x = torch.zeros(1, 1, 7, 8)
    x[..., 4:] = 1.0  # columns 4..7 are 1
    y = torch.zeros(1, 1, 7, 8)
    y[..., 3:] = 1.0  # columns 3..7 are 1
    r = 2.0
    c1, c2 = (0.01 * r)**2, (0.03 * r)**2

    def window_ssim(cols_x, cols_y, ones_both):
        n = 49
        mx, my = 7 * cols_x / n, 7 * cols_y / n
        vx = (7 * cols_x - n * mx * mx) / (n - 1)
        vy = (7 * cols_y - n * my * my) / (n - 1)
        cxy = (7 * ones_both - n * mx * my) / (n - 1)
        return ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx**2 + my**2 + c1) * (vx + vy + c2))

    # window columns 0..6: x has 3 one-columns (4,5,6), y 4 (3..6), both 3
    # window columns 1..7: x has 4, y 5, both 4
    expected = (window_ssim(3, 4, 3) + window_ssim(4, 5, 4)) / 2
    assert frame_ssim(x, y).item() == pytest.approx(expected, rel=1e-9)


def test_ssim_averages_channels_and_clips_prediction():
    gt = torch.rand(1, 3, 12, 12, generator=torch.Generator().manual_seed(0))
    pred = gt.clone()
    pred[0, 1] = 5.0  # clipped to 1
    per_channel = [frame_ssim(pred[:, i:i + 1], gt[:, i:i + 1]).item() for i in range(3)]
    assert per_channel[0] == pytest.approx(1.0) and per_channel[1] < 0.9
    assert frame_ssim(pred, gt).item() == pytest.approx(sum(per_channel) / 3)
    clipped = pred.clamp(0, 1)
    assert frame_ssim(pred, gt).item() == pytest.approx(frame_ssim(clipped, gt).item())


def test_metric_weighs_every_frame_equally():
    gt = torch.zeros(3, 1, 8, 8)
    pred = torch.full((3, 1, 8, 8), 0.1)  # PSNR 20 on every frame
    pred_exactish = torch.full((1, 1, 8, 8), 0.01)  # PSNR 40 on one frame
    res = evaluate(
        VideoPredictionMetric(metric=['psnr']), [(pred, gt),
                                                 (pred_exactish, torch.zeros(1, 1, 8, 8))])
    assert res['psnr'] == pytest.approx((3 * 20 + 40) / 4)


def test_trivial_baselines_and_gain():
    inputs = torch.zeros(4, 1, 4, 4)
    inputs[-1] = 1.0  # last input frame all ones, mean frame 0.25
    gt = torch.full((2, 1, 4, 4), 0.5)
    guesses = trivial_predictions(inputs, 2)
    assert guesses['mean_frame'].shape == (2, 1, 4, 4)
    assert guesses['mean_frame'][0, 0, 0, 0].item() == pytest.approx(0.25)
    pred = torch.full((2, 1, 4, 4), 0.4)
    res = evaluate(
        VideoPredictionMetric(metric=['mse'], trivial_baselines=True), [(pred, gt)],
        inputs=[inputs])
    # per-frame SE over 16 pixels: blank 16*0.25=4, mean 16*0.0625=1, last 4, model 0.16
    assert res['mse_blank'] == pytest.approx(4.0)
    assert res['mse_mean_frame'] == pytest.approx(1.0)
    assert res['mse_last_frame'] == pytest.approx(4.0)
    assert res['mse_gain'] == pytest.approx(1 - 0.16 / 1.0)


def test_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match="choose from"):
        VideoPredictionMetric(metric=['lpips'])
    with pytest.raises(ValueError, match="add 'mse'"):
        VideoPredictionMetric(metric=['ssim'], trivial_baselines=True)
    metric = VideoPredictionMetric()
    with pytest.raises(ValueError, match='differ in shape'):
        metric.process(None, [dict(pred=torch.zeros(2, 1, 8, 8), gt=torch.zeros(3, 1, 8, 8))])
    with pytest.raises(ValueError, match='dict\\(pred=..., gt=...\\)'):
        metric.process(None, [torch.zeros(2, 1, 8, 8)])
    with pytest.raises(ValueError, match="data_batch\\['inputs'\\]"):
        VideoPredictionMetric(trivial_baselines=True).process(
            {}, [dict(pred=torch.zeros(2, 1, 8, 8), gt=torch.zeros(2, 1, 8, 8))])


def test_registered_with_prefix():
    from mmengine.registry import METRICS
    metric = METRICS.build(dict(type='VideoPredictionMetric', metric=['mse']))
    assert metric.prefix == 'video'
