"""The backbone computes what the original computes and holds its parameters."""
import pytest
import torch

from moganet_mm import MogaNet

from conftest import ARCHS, original_keys, rel_err


def reference_backbone(reference, **kwargs):
    model = MogaNet(arch=reference['arch'], **kwargs)
    state = {k: v for k, v in reference['state_dict'].items() if not k.startswith('head.')}
    model.load_state_dict(state, strict=True)
    return model.eval()


def test_reference_features_match_original(reference):
    model = reference_backbone(reference)
    with torch.no_grad():
        feats = model(reference['input'])
    assert len(feats) == len(reference['feats']) == 4
    for i, (ours, theirs) in enumerate(zip(feats, reference['feats'])):
        assert ours.shape == theirs.shape, f'stage {i}'
        assert rel_err(ours, theirs) <= 1e-4, f'stage {i}: {rel_err(ours, theirs):.2e}'


def test_reference_float64_agrees(reference):
    """Float64 sits within the original's own float32 rounding (ARCHITECTURE.md)."""
    model = reference_backbone(reference).double()
    with torch.no_grad():
        feats = model(reference['input'].double())
    for ours, theirs in zip(feats, reference['feats']):
        assert rel_err(ours, theirs) <= 1e-4


@pytest.mark.parametrize('arch', ARCHS)
def test_state_dict_matches_original_keys(arch):
    expected = [(k, s) for k, s in original_keys(arch) if not k.startswith('head.')]
    ours = [(k, tuple(v.shape)) for k, v in MogaNet(arch=arch).state_dict().items()]
    assert ours == expected


@pytest.mark.parametrize('arch,params', [('xtiny', 2_763_066), ('tiny', 4_940_332),
                                         ('small', 24_822_675), ('base', 43_207_475),
                                         ('large', 81_839_978), ('xlarge', 180_030_924)])
def test_dense_param_count(arch, params):
    model = MogaNet(arch=arch)
    assert sum(p.numel() for p in model.parameters()) == params
    head = [s for k, s in original_keys(arch) if k.startswith('head.')]
    buffers = [s for k, s in original_keys(arch) if 'running_' in k or 'num_batches' in k]
    total = sum(torch.Size(s).numel() for _, s in original_keys(arch))
    assert params == total - sum(torch.Size(s).numel() for s in head + buffers)


@pytest.mark.parametrize('size,expected', [
    ((97, 131), [(25, 33), (13, 17), (7, 9), (4, 5)]),
    ((160, 192), [(40, 48), (20, 24), (10, 12), (5, 6)]),
    ((33, 33), [(9, 9), (5, 5), (3, 3), (2, 2)]),
])
def test_output_strides_ceil(size, expected):
    model = MogaNet(arch='xt').eval()
    with torch.no_grad():
        feats = model(torch.randn(1, 3, *size))
    assert [tuple(f.shape[2:]) for f in feats] == expected
    assert [f.shape[1] for f in feats] == model.embed_dims
