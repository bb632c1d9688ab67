"""ChannelsLastHook: the model runs NHWC, computes what it did in NCHW, and keeps its
parameters (the optimizer's references); it refuses bfloat16 CPU autocast over dilated
depthwise convs and mmcv's RoIAlign, with which NHWC training goes wrong."""
from types import SimpleNamespace

import pytest
import torch
from mmengine.optim import OptimWrapper

from moganet_mm import MogaNet
from moganet_mm.engine import ChannelsLastHook, CPUAmpOptimWrapper


def _runner(optim_type=OptimWrapper):
    torch.manual_seed(0)
    model = MogaNet(arch='xtiny', out_indices=(0, 1, 2, 3)).eval()
    optim = optim_type(optimizer=torch.optim.AdamW(model.parameters(), lr=1e-3))
    return SimpleNamespace(model=model, optim_wrapper=optim)


def test_channels_last_same_outputs_and_parameters():
    runner = _runner()
    x = torch.randn(2, 3, 64, 96)
    with torch.no_grad():
        ref = runner.model(x)
    params = list(runner.model.parameters())
    ChannelsLastHook().before_run(runner)
    assert [id(p) for p in runner.model.parameters()] == [id(p) for p in params]
    convs = [m for m in runner.model.modules() if isinstance(m, torch.nn.Conv2d)]
    assert convs and all(m.weight.is_contiguous(memory_format=torch.channels_last)
                         for m in convs)
    with torch.no_grad():
        out = runner.model(x)  # an NCHW batch: the first conv turns it NHWC
    for a, b in zip(ref, out):
        assert b.is_contiguous(memory_format=torch.channels_last)
        assert torch.allclose(a, b, rtol=1e-4, atol=1e-5)


def test_bf16_nhwc_dilated_depthwise_weight_grad_is_wrong_on_cpu():
    """Why the hook refuses bfloat16 autocast over MogaNet's backbone (torch 2.14):
    the NHWC weight gradient of a dilated depthwise conv is wrong, the undilated one
    is right to bfloat16 rounding."""
    torch.manual_seed(0)
    x = torch.randn(8, 16, 64, 48)

    def weight_grad_error(dilation):
        conv = torch.nn.Conv2d(16, 16, 7, padding=3 * dilation, dilation=dilation, groups=16)
        conv(x).square().mean().backward()
        ref = conv.weight.grad.clone()
        conv.zero_grad()
        conv.to(memory_format=torch.channels_last)
        with torch.autocast('cpu', dtype=torch.bfloat16):
            out = conv(x.contiguous(memory_format=torch.channels_last))
        out.float().square().mean().backward()
        return ((conv.weight.grad - ref).norm() / ref.norm()).item()

    assert weight_grad_error(1) < 0.01
    assert weight_grad_error(3) > 0.5  # if this fails, torch fixed it: relax the hook


def test_channels_last_refuses_bf16_autocast_over_dilated_depthwise_convs():
    runner = _runner(CPUAmpOptimWrapper)  # autocasts the whole MogaNet
    with pytest.raises(ValueError, match=r'blocks1\.0\.attn\.value\.DW_conv1 is a dilated'):
        ChannelsLastHook().before_run(runner)


def test_channels_last_allows_bf16_autocast_of_a_head():
    torch.manual_seed(0)
    model = torch.nn.ModuleDict(dict(
        backbone=MogaNet(arch='xtiny', out_indices=(3, )),
        head=torch.nn.Sequential(torch.nn.ConvTranspose2d(256, 32, 4, 2, 1),
                                 torch.nn.Conv2d(32, 17, 1))))
    optim = CPUAmpOptimWrapper(autocast_modules=('head', ),
                               optimizer=torch.optim.Adam(model.parameters(), lr=1e-3))
    ChannelsLastHook().before_run(SimpleNamespace(model=model, optim_wrapper=optim))
    assert model.head[0].weight.is_contiguous(memory_format=torch.channels_last)
    with pytest.raises(ValueError, match="no submodule 'neck'"):
        CPUAmpOptimWrapper(autocast_modules=('neck', ), optimizer=optim.optimizer) \
            .autocast_regions(model)


def test_channels_last_refuses_roi_align():
    """mmcv's CPU RoIAlign reads NHWC as NCHW: a detector must stay NCHW."""
    from mmcv.ops import RoIAlign
    x = torch.randn(2, 16, 32, 32)
    rois = torch.tensor([[0, 2., 3, 20, 25], [1, 5, 5, 30, 18]])
    roi_align = RoIAlign((7, 7), 1.0, sampling_ratio=0, aligned=True)
    wrong = roi_align(x.contiguous(memory_format=torch.channels_last), rois)
    assert not torch.allclose(roi_align(x, rois), wrong)  # why the hook refuses
    runner = SimpleNamespace(model=torch.nn.ModuleDict(dict(roi=roi_align)), optim_wrapper=None)
    with pytest.raises(ValueError, match='RoIAlign'):
        ChannelsLastHook().before_run(runner)
