"""switch_to_deploy folds norms and scales away without changing the outputs."""
import pytest
import torch

from moganet_mm import MogaNet
from moganet_mm.models.dilated_dwconv import SubgridDilatedDWConv

from conftest import ARCHS, rel_err
from deploy_helpers import TINY, deployed_copy, randomize


def test_deploy_matches_reference_fixture(reference):
    model = MogaNet(arch='xtiny')
    model.load_state_dict({
        k: v
        for k, v in reference['state_dict'].items() if not k.startswith('head.')
    })
    model.switch_to_deploy()
    with torch.no_grad():
        feats = model(reference['input'])
    for ours, theirs in zip(feats, reference['feats']):
        assert rel_err(ours, theirs) <= 1e-4


@pytest.mark.parametrize(
    'arch', [pytest.param(a, marks=pytest.mark.slow) if a == 'xlarge' else a for a in ARCHS])
def test_deploy_matches_eager_random_weights(arch):
    model = randomize(MogaNet(arch=arch))
    deploy = deployed_copy(model)
    x = torch.randn(2, 3, 48, 80)
    with torch.no_grad():
        for a, b in zip(model(x), deploy(x)):
            assert rel_err(b, a) <= 1e-4


def test_deploy_state_dict_is_smaller_and_idempotent():
    model = randomize(MogaNet(arch=TINY))
    eager_keys = set(model.state_dict())
    model.switch_to_deploy()
    keys = set(model.state_dict())
    model.switch_to_deploy()  # idempotent
    assert set(model.state_dict()) == keys
    gone = eager_keys - keys
    assert all(
        any(
            p in k for p in ('norm1.', 'norm2.', 'layer_scale_', 'sigma.scale', 'mlp.decompose.',
                             'patch_embed1.projection.1.', 'patch_embed1.projection.4.', '.norm.'))
        for k in gone)
    assert {k
            for k in keys - eager_keys} == {
                f'blocks{i}.{j}.{n}'
                for i, d in enumerate(TINY['depths'], 1)
                for j in range(d)
                for n in ('res_scale', 'decompose_scale', 'decompose_gain')
            }
    assert all(f'norm{i}.weight' in keys for i in range(1, 5))  # stage norms stay
    # the FFN's decompose conv is fc2's extra output channel
    assert model.blocks1[0].mlp.fc2.out_channels == TINY['embed_dims'][0] + 1
    assert sum(t.numel() for t in model.state_dict().values()) < \
        sum(t.numel() for t in MogaNet(arch=TINY).state_dict().values())
    # a deployed state dict loads into another deployed model (docs/backbone.md)
    other = MogaNet(arch=TINY)
    other.switch_to_deploy()
    other.load_state_dict(model.state_dict())
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        assert all(torch.equal(a, b) for a, b in zip(model(x), other(x)))


def test_training_after_deploy_is_refused():
    model = MogaNet(arch=TINY)
    model.switch_to_deploy()
    assert not model.training
    with pytest.raises(RuntimeError, match='deploy mode'):
        model.train()


def test_deploy_needs_batchnorm():
    model = MogaNet(arch=TINY, norm_cfg=dict(type='GN')).eval()
    with pytest.raises(TypeError, match='Only BatchNorm.*not GroupNorm'):
        model.switch_to_deploy()


@pytest.mark.parametrize('deploy', [False, True])
def test_channels_last(deploy):
    model = randomize(MogaNet(arch=TINY))
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        ref = model(x)
        if deploy:
            model.switch_to_deploy()
        model = model.to(memory_format=torch.channels_last)
        out = model(x.contiguous(memory_format=torch.channels_last))
    for a, b in zip(ref, out):
        assert rel_err(b, a) <= 1e-4


@pytest.mark.slow
@pytest.mark.parametrize('freezing', [False, True])
def test_torch_compile_deploy(freezing):
    """The fastest CPU path of docs/speed.md: deploy + channels_last + compile with
    inductor's freezing (weights constant-folded and prepacked)."""
    model = randomize(MogaNet(arch=TINY))
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        ref = model(x)
        model.switch_to_deploy()
        model = model.to(memory_format=torch.channels_last)
        compiled = torch.compile(model, options=dict(freezing=freezing))
        out = compiled(x.contiguous(memory_format=torch.channels_last))
    for a, b in zip(ref, out):
        assert rel_err(b, a) <= 1e-4


@pytest.mark.parametrize('deploy', [False, True])
def test_bf16_autocast_cpu_finite(deploy):
    model = randomize(MogaNet(arch=TINY, attn_force_fp32=True))
    if deploy:
        model.switch_to_deploy()
    x = torch.randn(2, 3, 64, 64) * 10
    with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16):
        out = model(x)
    assert all(torch.isfinite(o.float()).all() for o in out)


def test_deploy_with_a_sigma_of_minus_one():
    """``1 + sigma = 0`` cannot be divided out: that block keeps its decomposition."""
    model = randomize(MogaNet(arch=TINY))
    with torch.no_grad():
        model.blocks2[0].attn.sigma.scale[0, 3] = -1.0
    deploy = deployed_copy(model)
    assert not deploy.blocks2[0].fold_decompose and deploy.blocks1[0].fold_decompose
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        for a, b in zip(model(x), deploy(x)):
            assert rel_err(b, a) <= 1e-4


@pytest.mark.parametrize('kernel,dilation', [(7, 3), (5, 2), (3, 3)])
@pytest.mark.parametrize('channels_last', [False, True])
@pytest.mark.parametrize('size', [(14, 14), (13, 20), (2, 5)])
def test_subgrid_dilated_dwconv(kernel, dilation, channels_last, size):
    """Deploy mode's split of a dilated depthwise conv into undilated sub-grid convs
    equals the conv, on channel slices (as MogaNet feeds it) of either layout, with
    sides that are not multiples of the dilation."""
    conv = torch.nn.Conv2d(
        6, 6, kernel, padding=dilation * (kernel - 1) // 2, dilation=dilation, groups=6)
    split = SubgridDilatedDWConv.from_conv(conv)
    assert split.state_dict().keys() == conv.state_dict().keys()
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    x = torch.randn(2, 10, *size).contiguous(memory_format=fmt)[:, 4:]
    with torch.no_grad():
        out = split(x)
        assert rel_err(out, conv(x)) <= 1e-5
    assert (out.stride(1) == 1) == channels_last  # the layout is kept
    with pytest.raises(ValueError, match='not a square, stride-1, same-padded depthwise'):
        SubgridDilatedDWConv.from_conv(torch.nn.Conv2d(6, 6, 3, padding=1))


def test_deploy_runs_the_dilated_conv_by_subgrids():
    model = deployed_copy(randomize(MogaNet(arch=TINY)))
    assert all(
        isinstance(block.attn.value.DW_conv2, SubgridDilatedDWConv) for block in model.blocks1)
