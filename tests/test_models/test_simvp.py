"""SimVP-MogaNet computes what OpenSTL's SimVP_Model computes and loads its files."""
import subprocess
import sys

import pytest
import torch
import torch.nn.functional as F

from moganet_mm.models import SimVP
from moganet_mm.models.backbones.moganet import MogaBlock
from moganet_mm.models.simvp import (convert_openstl_state_dict, infer_openstl_sizes,
                                     openstl_drop_path_rates)

from conftest import REFERENCE, REPO, rel_err

FIXTURE = REFERENCE / 'simvp_moganet_openstl_16_64_4_2.pth'


@pytest.fixture(scope='module')
def openstl_fixture():
    return torch.load(FIXTURE, map_location='cpu', weights_only=True)


# --- an independent, functional transcription of OpenSTL's eval-mode forward -------
# (openstl/models/simvp_model.py + modules/simvp_modules.py + layers/moganet.py at
# c74deb5), written on its state dict, as the oracle for sizes the fixture lacks.


def _conv_sc(sd, p, x, downsample, upsample, k):
    stride = 2 if downsample else 1
    pad = (k - stride + 1) // 2
    if upsample:
        x = F.pixel_shuffle(
            F.conv2d(x, sd[p + 'conv.conv.0.weight'], sd[p + 'conv.conv.0.bias'], padding=pad), 2)
    else:
        x = F.conv2d(
            x, sd[p + 'conv.conv.weight'], sd[p + 'conv.conv.bias'], stride=stride, padding=pad)
    return F.silu(F.group_norm(x, 2, sd[p + 'conv.norm.weight'], sd[p + 'conv.norm.bias']))


def _bn(sd, p, x):
    return F.batch_norm(x, sd[p + 'running_mean'], sd[p + 'running_var'], sd[p + 'weight'],
                        sd[p + 'bias'], False, 0., 1e-5)


def _dw(sd, p, x, dilation):
    w = sd[p + 'weight']
    return F.conv2d(
        x,
        w,
        sd[p + 'bias'],
        padding=(w.shape[-1] - 1) * dilation // 2,
        dilation=dilation,
        groups=x.shape[1])


def _moga_block(sd, p, x):
    c = x.shape[1]
    u = _bn(sd, p + 'norm1.', x)
    a = p + 'attn.'
    y = F.conv2d(u, sd[a + 'proj_1.weight'], sd[a + 'proj_1.bias'])
    y = F.silu(y + sd[a + 'sigma'] * (y - y.mean(dim=(2, 3), keepdim=True)))
    g = F.conv2d(y, sd[a + 'gate.weight'], sd[a + 'gate.bias'])
    z0 = _dw(sd, a + 'value.DW_conv0.', y, 1)
    c1, c2 = int(3 / 8 * c), int(4 / 8 * c)
    c0 = c - c1 - c2
    z1 = _dw(sd, a + 'value.DW_conv1.', z0[:, c0:c0 + c1], 2)
    z2 = _dw(sd, a + 'value.DW_conv2.', z0[:, c - c2:], 3)
    v = F.conv2d(
        torch.cat([z0[:, :c0], z1, z2], 1), sd[a + 'value.PW_conv.weight'],
        sd[a + 'value.PW_conv.bias'])
    attn = F.conv2d(F.silu(g) * F.silu(v), sd[a + 'proj_2.weight'], sd[a + 'proj_2.bias']) + u
    x = x + sd[p + 'layer_scale_1'] * attn
    m = p + 'mlp.'
    h = F.conv2d(_bn(sd, p + 'norm2.', x), sd[m + 'fc1.weight'], sd[m + 'fc1.bias'])
    h = F.gelu(
        F.conv2d(h, sd[m + 'dwconv.weight'], sd[m + 'dwconv.bias'], padding=1, groups=h.shape[1]))
    d = F.gelu(F.conv2d(h, sd[m + 'decompose.weight'], sd[m + 'decompose.bias']))
    h = h + sd[m + 'sigma'] * (h - d)
    return x + sd[p + 'layer_scale_2'] * F.conv2d(h, sd[m + 'fc2.weight'], sd[m + 'fc2.bias'])


def openstl_forward(sd, x, n_s, n_t, k_enc=3, k_dec=3):
    b, t, c, h, w = x.shape
    pattern = [False, True] * (n_s // 2)
    z = x.reshape(b * t, c, h, w)
    skip = z = _conv_sc(sd, 'enc.enc.0.', z, pattern[0], False, k_enc)
    for i in range(1, n_s):
        z = _conv_sc(sd, f'enc.enc.{i}.', z, pattern[i], False, k_enc)
    _, c_, h_, w_ = z.shape
    z = z.reshape(b, t * c_, h_, w_)
    for i in range(n_t):
        z = _moga_block(sd, f'hid.enc.{i}.block.', z)
        if f'hid.enc.{i}.reduction.weight' in sd:
            z = F.conv2d(z, sd[f'hid.enc.{i}.reduction.weight'], sd[f'hid.enc.{i}.reduction.bias'])
    z = z.reshape(b * t, c_, h_, w_)
    up = list(reversed(pattern))
    for i in range(n_s - 1):
        z = _conv_sc(sd, f'dec.dec.{i}.', z, False, up[i], k_dec)
    z = _conv_sc(sd, f'dec.dec.{n_s - 1}.', z + skip, False, up[-1], k_dec)
    y = F.conv2d(z, sd['dec.readout.weight'], sd['dec.readout.bias'])
    return y.reshape(b, t, c, h, w)


def to_openstl_keys(state):
    """This project's keys -> OpenSTL's (the bare sigma parameters)."""
    return {
        k[:-len('.scale')] if k.endswith(('attn.sigma.scale', 'mlp.sigma.scale')) else k: v
        for k, v in state.items()
    }


def randomised(model, seed):
    """Every weight and BN statistic random, so no layer is near identity."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if t.dtype != torch.float32:
                continue
            if name.endswith('running_var'):
                t.copy_(torch.rand(t.shape, generator=gen) + 0.5)
            elif name.endswith(('layer_scale_1', 'layer_scale_2', 'sigma.scale')):
                t.copy_(torch.rand(t.shape, generator=gen) * 0.5 + 0.25)
            else:
                t.copy_(
                    torch.randn(t.shape, generator=gen) *
                    (0.5 / max(t[0].numel(), 1)**0.5 if t.dim() > 1 else 0.2))
    return model.eval()


# --- the fixture -------------------------------------------------------------------


def test_fixture_loads_every_tensor_and_reproduces_openstl(openstl_fixture):
    cfg = openstl_fixture['config']
    model = SimVP.from_openstl(str(FIXTURE), in_shape=cfg['in_shape']).eval()
    assert (model.hid_S, model.hid_T, model.N_S, model.N_T) == (16, 64, 4, 2)
    ours = model.state_dict()
    theirs = convert_openstl_state_dict(openstl_fixture['state_dict'])
    assert sorted(ours) == sorted(theirs)  # every tensor in place, nothing left over
    for key, value in theirs.items():
        assert torch.equal(ours[key], value), key
    with torch.no_grad():
        out = model(openstl_fixture['input'])
    assert out.shape == openstl_fixture['output'].shape
    assert rel_err(out, openstl_fixture['output']) <= 1e-4


def test_oracle_reproduces_the_fixture(openstl_fixture):
    """The functional transcription used below is itself right."""
    with torch.no_grad():
        out = openstl_forward(openstl_fixture['state_dict'], openstl_fixture['input'], 4, 2)
    assert rel_err(out, openstl_fixture['output']) <= 1e-4


def test_load_openstl_refuses_wrong_sizes(openstl_fixture):
    model = SimVP(in_shape=(10, 1, 64, 64), hid_S=16, hid_T=32, N_S=4, N_T=2)
    with pytest.raises(ValueError, match='hid.enc.0.reduction.weight'):
        model.load_openstl(openstl_fixture)
    with pytest.raises(ValueError, match='T = 10'):
        SimVP.from_openstl(openstl_fixture, in_shape=(8, 1, 64, 64))


def test_lightning_checkpoint_prefix_is_stripped(openstl_fixture):
    ckpt = {
        'state_dict': {
            'model.' + k: v
            for k, v in openstl_fixture['state_dict'].items()
        },
        'epoch': 3
    }
    model = SimVP.from_openstl(ckpt, in_shape=(10, 1, 64, 64)).eval()
    with torch.no_grad():
        assert rel_err(model(openstl_fixture['input']), openstl_fixture['output']) <= 1e-4


@pytest.mark.parametrize(
    'sizes',
    [
        dict(in_shape=(10, 3, 64, 64), hid_S=8, hid_T=32, N_S=4, N_T=3),  # MNIST-CIFAR frames
        dict(in_shape=(4, 2, 32, 32), hid_S=16, hid_T=24, N_S=2, N_T=4),  # TaxiBJ-like
        dict(
            in_shape=(5, 1, 48, 48),
            hid_S=8,
            hid_T=40,
            N_S=6,
            N_T=2,
            spatio_kernel_enc=5,
            spatio_kernel_dec=5),
    ])
def test_other_sizes_match_openstl(sizes):
    model = randomised(SimVP(**sizes), seed=sum(sizes['in_shape']))
    sd = to_openstl_keys(model.state_dict())
    x = torch.rand(2, *sizes['in_shape'], generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        ours, theirs = model(x), openstl_forward(sd, x, sizes['N_S'], sizes['N_T'],
                                                 sizes.get('spatio_kernel_enc', 3),
                                                 sizes.get('spatio_kernel_dec', 3))
    assert rel_err(ours, theirs) <= 1e-4
    # and the OpenSTL-keyed weights round-trip through the loading path
    again = SimVP.from_openstl(sd, in_shape=sizes['in_shape']).eval()
    with torch.no_grad():
        assert torch.equal(again(x), ours)


@pytest.mark.slow
def test_converter_cli(tmp_path, openstl_fixture):
    dst = tmp_path / 'simvp_mm.pth'
    cmd = [sys.executable, 'tools/model_converters/openstl_to_mm.py', str(FIXTURE), str(dst)]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert 'hid_S=16 hid_T=64 N_S=4 N_T=2' in done.stdout
    converted = torch.load(dst, weights_only=True)
    model = SimVP(in_shape=(10, 1, 64, 64), hid_S=16, hid_T=64, N_S=4, N_T=2)
    model.load_state_dict(converted['state_dict'], strict=True)  # MMEngine's load_from path
    with torch.no_grad():
        assert rel_err(model.eval()(openstl_fixture['input']), openstl_fixture['output']) <= 1e-4
    again = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert again.returncode == 1 and 'exists' in again.stderr  # never overwrites


# --- the model itself --------------------------------------------------------------


def test_translator_uses_the_backbone_block():
    model = SimVP(in_shape=(10, 1, 64, 64), hid_S=16, hid_T=64, N_S=4, N_T=3)
    blocks = [layer.block for layer in model.hid.enc]
    assert all(type(b) is MogaBlock for b in blocks)
    assert [b.attn.proj_1.in_channels for b in blocks] == [160, 64, 64]
    assert [
        layer.reduction.out_channels if layer.reduction is not None else None
        for layer in model.hid.enc
    ] == [64, None, 160]


def test_openstl_drop_path_quirk():
    """OpenSTL's drop_path=0 still drops paths in all but the last layer."""
    rates = openstl_drop_path_rates(0., 8)
    assert rates[0] == pytest.approx(0.01) and rates[-1] == 0.
    assert all(r > 0 for r in rates[:-1])
    assert openstl_drop_path_rates(0., 8, 'linear') == [0.] * 8
    model = SimVP(in_shape=(10, 1, 64, 64), N_T=4, drop_path=0.)
    assert [
        layer.block.drop_path.drop_prob if hasattr(layer.block.drop_path, 'drop_prob') else 0.
        for layer in model.hid.enc
    ] == pytest.approx(openstl_drop_path_rates(0., 4))
    with pytest.raises(ValueError, match='drop_path_schedule'):
        openstl_drop_path_rates(0.1, 4, 'cosine')


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="model_type must be one of"):
        SimVP(in_shape=(10, 1, 64, 64), model_type='gSTA')
    with pytest.raises(ValueError, match='divide by the encoder stride'):
        SimVP(in_shape=(10, 1, 66, 66))
    with pytest.raises(TypeError, match="did you mean 'hid_T'"):
        SimVP(in_shape=(10, 1, 64, 64), hid_t=64)
    model = SimVP(in_shape=(10, 1, 64, 64), hid_S=8, hid_T=16, N_T=2)
    with pytest.raises(ValueError, match=r'\(B, 10, 1, 64, 64\)'):
        model(torch.zeros(1, 10, 3, 64, 64))
    with pytest.raises(ValueError, match='mode must be'):
        model(torch.zeros(1, 10, 1, 64, 64), torch.zeros(1, 10, 1, 64, 64), mode='train')


def test_loss_and_predict_modes():
    model = SimVP(in_shape=(4, 1, 32, 32), hid_S=8, hid_T=16, N_T=2).eval()
    x, y = torch.rand(2, 4, 1, 32, 32), torch.rand(2, 4, 1, 32, 32)
    with torch.no_grad():
        pred = model(x)
        loss = model(x, y, mode='loss')['loss']
        samples = model(x, y, mode='predict')
    assert loss.item() == pytest.approx(F.mse_loss(pred, y).item(), rel=1e-6)
    assert len(samples) == 2 and torch.equal(samples[1]['pred'], pred[1])
    assert torch.equal(samples[0]['gt'], y[0])


def test_sizes_are_read_from_weights(openstl_fixture):
    sizes = infer_openstl_sizes(openstl_fixture['state_dict'])
    assert sizes == dict(
        hid_S=16,
        hid_T=64,
        N_S=4,
        N_T=2,
        mlp_ratio=8.0,
        spatio_kernel_enc=3,
        spatio_kernel_dec=3,
        C=1,
        T_times_hid_S=160)
