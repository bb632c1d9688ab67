"""ChannelsLastHook: the model runs NHWC, computes what it did in NCHW, and keeps its
parameters (the optimizer's references); it refuses bfloat16 CPU autocast over dilated
depthwise convs and mmcv's RoIAlign, with which NHWC training goes wrong."""
from types import SimpleNamespace

import pytest
import torch
from mmengine.optim import OptimWrapper

from moganet_mm import MogaNet
from moganet_mm.engine import ChannelsLastHook, CPUAmpOptimWrapper, channels_last_hook
from moganet_mm.engine.channels_last_hook import (bf16_dilated_dwconv_grad_is_wrong,
                                                  dwconv_weight_grad_error)


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
    assert convs and all(m.weight.is_contiguous(memory_format=torch.channels_last) for m in convs)
    with torch.no_grad():
        out = runner.model(x)  # an NCHW batch: the first conv turns it NHWC
    for a, b in zip(ref, out):
        assert b.is_contiguous(memory_format=torch.channels_last)
        assert torch.allclose(a, b, rtol=1e-4, atol=1e-5)


def test_bf16_probe_measures_the_fault_it_names():
    """The probe the hook asks: the undilated conv is right to bfloat16 rounding on
    every CPU; the dilated one is what differs between CPUs (wrong on AVX-512 with
    torch 2.14, right on an AVX2-only EPYC), and the probe's answer is its error."""
    assert dwconv_weight_grad_error(dilation=1) < 0.05
    assert bf16_dilated_dwconv_grad_is_wrong() == (dwconv_weight_grad_error(dilation=3) > 0.1)


@pytest.mark.parametrize('fault', [True, False])
def test_channels_last_bf16_autocast_over_dilated_convs_follows_the_probe(monkeypatch, fault):
    """Refused where this CPU has the fault, allowed where it has not: both branches,
    whatever CPU runs the test."""
    monkeypatch.setattr(channels_last_hook, 'bf16_dilated_dwconv_grad_is_wrong', lambda: fault)
    runner = _runner(CPUAmpOptimWrapper)  # autocasts the whole MogaNet
    if fault:
        with pytest.raises(ValueError, match=r'blocks1\.0\.attn\.value\.DW_conv1 is a dilated'):
            ChannelsLastHook().before_run(runner)
    else:
        ChannelsLastHook().before_run(runner)
        assert runner.model.patch_embed1.projection[0].weight.is_contiguous(
            memory_format=torch.channels_last)


def test_channels_last_allows_bf16_autocast_of_a_head():
    torch.manual_seed(0)
    model = torch.nn.ModuleDict(
        dict(
            backbone=MogaNet(arch='xtiny', out_indices=(3, )),
            head=torch.nn.Sequential(
                torch.nn.ConvTranspose2d(256, 32, 4, 2, 1), torch.nn.Conv2d(32, 17, 1))))
    optim = CPUAmpOptimWrapper(
        autocast_modules=('head', ), optimizer=torch.optim.Adam(model.parameters(), lr=1e-3))
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
