"""Every MogaNet argument acts as OpenMMLab users expect, or is refused."""
import pytest
import torch
from mmcv.cnn.bricks import DropPath
from torch.nn.modules.batchnorm import _BatchNorm

from moganet_mm import MogaNet

TINY = dict(embed_dims=[8, 16, 24, 32], depths=[1, 1, 2, 1], ffn_ratios=[2, 2, 2, 2])


@pytest.mark.parametrize('alias,full', [('xt', 'xtiny'), ('x-tiny', 'xtiny'), ('t', 'tiny'),
                                        ('s', 'small'), ('b', 'base'), ('l', 'large'),
                                        ('xl', 'xlarge'), ('x-large', 'xlarge'), ('XT', 'xtiny')])
def test_arch_aliases(alias, full):
    assert MogaNet.parse_arch(alias) == MogaNet.parse_arch(full)


def test_custom_arch_dict():
    model = MogaNet(arch=TINY).eval()
    feats = model(torch.randn(2, 3, 64, 64))
    assert [f.shape[1] for f in feats] == TINY['embed_dims']
    assert [len(getattr(model, f'blocks{i}')) for i in range(1, 5)] == TINY['depths']


def test_out_indices_subset_and_negative():
    model = MogaNet(arch=TINY, out_indices=(1, -1)).eval()
    feats = model(torch.randn(1, 3, 64, 64))
    assert model.out_indices == (1, 3)
    assert [tuple(f.shape[1:]) for f in feats] == [(16, 8, 8), (32, 2, 2)]
    full = MogaNet(arch=TINY).eval()
    full.load_state_dict(model.state_dict())
    x = torch.randn(1, 3, 64, 64)
    # stage norms run whatever out_indices says: same maps as the full model
    assert torch.equal(model(x)[1], full(x)[3])


@pytest.mark.parametrize('frozen', [-1, 0, 1, 2, 3, 4])
def test_frozen_stages(frozen):
    model = MogaNet(arch=TINY, frozen_stages=frozen)
    model.train()
    frozen_modules = [model.patch_embed1] if frozen >= 0 else []
    for i in range(frozen):
        frozen_modules += list(model.stage(i))
    frozen_params = {id(p) for m in frozen_modules for p in m.parameters()}
    for p in model.parameters():
        assert p.requires_grad == (id(p) not in frozen_params)
    for m in frozen_modules:
        assert all(not sub.training for sub in m.modules())
    trainable = [
        m for m in model.modules() if isinstance(m, _BatchNorm) and not any(m is s
                                                                            for f in frozen_modules
                                                                            for s in f.modules())
    ]
    assert all(m.training for m in trainable)
    if frozen == 4:
        assert not any(p.requires_grad for p in model.parameters())


def test_norm_eval_keeps_bn_in_eval():
    model = MogaNet(arch=TINY, norm_eval=True).train()
    assert model.training
    assert all(not m.training for m in model.modules() if isinstance(m, _BatchNorm))


@pytest.mark.parametrize('norm_cfg', [
    dict(type='SyncBN'),
    dict(type='GN'),
    dict(type='GN', num_groups=4),
    dict(type='BN', eps=1e-3)
])
def test_norm_cfg(norm_cfg):
    model = MogaNet(arch=TINY, norm_cfg=norm_cfg)
    kind = {
        'SyncBN': torch.nn.SyncBatchNorm,
        'GN': torch.nn.GroupNorm,
        'BN': torch.nn.BatchNorm2d
    }[norm_cfg['type']]
    norms = [m for m in model.modules() if isinstance(m, (_BatchNorm, torch.nn.GroupNorm))]
    assert len(norms) == 2 + 3 + 4 + 2 * sum(TINY['depths'])
    assert all(isinstance(m, kind) for m in norms)
    if norm_cfg["type"] != "SyncBN":
        assert not any(isinstance(m, torch.nn.SyncBatchNorm) for m in norms)
    if norm_cfg['type'] == 'GN':
        groups = norm_cfg.get('num_groups')
        assert all(m.num_groups == (groups or m.num_channels) for m in norms)
    model.eval()
    out = model(torch.randn(2, 3, 32, 32))
    assert all(torch.isfinite(o).all() for o in out)


def test_drop_path_decays_linearly():
    model = MogaNet(arch=TINY, drop_path_rate=0.4)
    blocks = [b for i in range(1, 5) for b in getattr(model, f'blocks{i}')]
    rates = [b.drop_path.drop_prob if isinstance(b.drop_path, DropPath) else 0. for b in blocks]
    assert rates == pytest.approx(torch.linspace(0, 0.4, len(blocks)).tolist())


def test_with_cp_same_outputs_and_grads():
    torch.manual_seed(0)
    plain = MogaNet(arch=TINY)
    plain.init_weights()
    ckpt = MogaNet(arch=TINY, with_cp=True)
    ckpt.load_state_dict(plain.state_dict())
    x = torch.randn(2, 3, 64, 64)
    outs = []
    for model in (plain, ckpt):
        model.train()
        feats = model(x)
        sum(f.square().mean() for f in feats).backward()
        outs.append((feats, [p.grad.clone() for p in model.parameters()]))
    for a, b in zip(outs[0][0], outs[1][0]):
        torch.testing.assert_close(a, b)
    for a, b in zip(outs[0][1], outs[1][1]):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-7)


def test_attention_options_are_used():
    model = MogaNet(
        arch=TINY,
        attn_dw_dilation=(1, 2, 2),
        attn_channel_split=(2, 3, 3),
        attn_act_cfg=dict(type='GELU'),
        attn_final_dilation=False)
    value = model.blocks1[0].attn.value
    assert value.DW_conv2.dilation == (2, 2)
    assert (value.embed_dims_0, value.embed_dims_1, value.embed_dims_2) == (2, 3, 3)
    assert model.blocks4[0].attn.value.DW_conv2.dilation == (1, 1)
    assert isinstance(model.blocks1[0].attn.act_gate, torch.nn.GELU)


def test_force_fp32_gating_same_math_and_bf16_finite():
    torch.manual_seed(0)
    model = MogaNet(arch=TINY).eval()
    model.init_weights()
    fp32 = MogaNet(arch=TINY, attn_force_fp32=True).eval()
    fp32.load_state_dict(model.state_dict())
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        for a, b in zip(model(x), fp32(x)):
            torch.testing.assert_close(a, b)  # no autocast: identical math
        with torch.autocast('cpu', dtype=torch.bfloat16):
            out = fp32(x)
    assert all(torch.isfinite(o).all() for o in out)


def test_unknown_argument_is_refused():
    from mmengine.registry import MODELS
    with pytest.raises(TypeError, match='stem_norm_cfg'):
        MODELS.build(dict(type='MogaNet', arch='xt', stem_norm_cfg=dict(type='BN')))


@pytest.mark.parametrize('kwargs,match', [
    (dict(arch='tinyy'), r"Unknown MogaNet arch 'tinyy'.*'xtiny'"),
    (dict(arch=dict(embed_dims=[8] * 4, depths=[1] * 4)), r"missing \['ffn_ratios'\]"),
    (dict(arch=dict(TINY, heads=[1] * 4)), r"unknown \['heads'\]"),
    (dict(arch=dict(TINY, depths=[1, 1, 1])), r"arch\['depths'\] needs 4 values"),
    (dict(arch=dict(TINY, embed_dims=[8, 16, 24, 36])), r'divisible by'),
    (dict(arch='xt', out_indices=(0, 4)), r'4 is not a stage index; valid are 0\.\.3'),
    (dict(arch='xt', out_indices=(1, -3)), r'repeats a stage'),
    (dict(arch='xt', frozen_stages=5), r'frozen_stages must be an int in -1\.\.4'),
    (dict(arch='xt', frozen_stages=-2), r'frozen_stages must be an int in -1\.\.4'),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MogaNet(**kwargs)


def test_wrong_input_channels():
    model = MogaNet(arch=TINY).eval()
    with pytest.raises(
            ValueError, match=r'expects a \(N, 3, H, W\) batch.*got shape \(1, 1, 32, 32\)'):
        model(torch.randn(1, 1, 32, 32))
    assert MogaNet(arch=TINY, in_channels=1).eval()(torch.randn(1, 1, 32, 32))
