"""ONNX export of the backbone and the classifier, eager and deploy mode, run with ONNX
Runtime (CPU provider): outputs equal torch's eager model to 1e-4 relative error for
all six archs, with dynamic batch and input size, on odd input sizes."""
import pytest
import torch

from moganet_mm import MogaNet
from moganet_mm.deploy.exporter import check_model, dynamic_axes, export
from moganet_mm.deploy.models import BackboneOnly, Classifier, build_model, load_config
from moganet_mm.deploy.ort import run, session
from moganet_mm.models.dilated_dwconv import SubgridDilatedDWConv

from conftest import ARCHS, REPO, rel_err
from deploy_helpers import TINY, deployed_copy, randomize

#: odd sizes (not multiples of the dilation 3 nor of the stride 32), two batch sizes
SHAPES = [(1, 3, 97, 131), (2, 3, 64, 45)]
FEATS = [f'feat{i}' for i in range(4)]
FEAT_AXES = {n: {0: 'batch', 2: f'h{i}', 3: f'w{i}'} for i, n in enumerate(FEATS)}


def randomize_stable(model):
    """test_deploy's randomized weights with the layer scales quartered: at 0.2 * randn
    the deeper archs' activations overflow to inf on a 97x131 input (in torch already),
    which would test nothing."""
    randomize(model)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if 'layer_scale' in name:
                p.mul_(0.25)
    return model


def export_backbone(model, path):
    export(
        BackboneOnly(model), torch.randn(1, 3, 64, 64), str(path), FEATS,
        dynamic_axes(FEATS, outputs=FEAT_AXES))
    check_model(str(path))
    return session(str(path))


# the three largest export for 0.5-2 minutes each on 2 cores: out of make test-quick
@pytest.mark.parametrize('arch', [
    pytest.param(a, marks=pytest.mark.slow) if a in ('small', 'base', 'large', 'xlarge') else a
    for a in ARCHS
])
def test_backbone_onnx_eager_and_deploy_match_torch(arch, tmp_path):
    model = randomize_stable(MogaNet(arch=arch))
    deploy = deployed_copy(model)
    sessions = {
        'eager': export_backbone(model, tmp_path / 'eager.onnx'),
        'deploy': export_backbone(deploy, tmp_path / 'deploy.onnx')
    }
    g = torch.Generator().manual_seed(1)
    for shape in SHAPES:
        x = torch.randn(shape, generator=g)
        with torch.no_grad():
            ref = model(x)
        assert all(torch.isfinite(r).all() for r in ref)
        for mode, sess in sessions.items():
            outs = run(sess, x)
            assert [o.shape for o in outs] == [tuple(r.shape) for r in ref], mode
            for o, r in zip(outs, ref):
                assert rel_err(torch.from_numpy(o), r) <= 1e-4, (mode, shape)


def test_deploy_export_runs_the_plain_dilated_conv(tmp_path):
    """In an export the deploy model's sub-grid conv is the plain dilated conv (faster in
    ONNX Runtime); the graph passes ONNX's full check and equals torch."""
    import onnx
    model = deployed_copy(randomize(MogaNet(arch=TINY)))
    assert isinstance(model.blocks1[0].attn.value.DW_conv2, SubgridDilatedDWConv)
    export_backbone(model, tmp_path / 'deploy.onnx')
    graph = onnx.load(str(tmp_path / 'deploy.onnx')).graph
    dilations = [
        list(a.ints) for n in graph.node if n.op_type == 'Conv' for a in n.attribute
        if a.name == 'dilations'
    ]
    assert dilations.count([3, 3]) == sum(TINY['depths'])  # one DW_conv2 per block
    x = torch.randn(1, 3, 35, 67)
    with torch.no_grad():
        ref = model(x)
    for o, r in zip(run(session(str(tmp_path / 'deploy.onnx')), x), ref):
        assert rel_err(torch.from_numpy(o), r) <= 1e-4


@pytest.mark.parametrize('size', [(56, 56), (29, 37), (3, 4)])
def test_subgrid_split_exports_with_dynamic_sizes(size, tmp_path, monkeypatch):
    """The split itself, exported on request, is right at sizes that are not multiples
    of the dilation (``-(-h // d)`` came out one too small in ONNX, whose integer Div
    truncates towards zero)."""
    monkeypatch.setattr(SubgridDilatedDWConv, 'export_subgrid', True)
    conv = torch.nn.Conv2d(8, 8, 7, padding=9, dilation=3, groups=8)
    split = SubgridDilatedDWConv.from_conv(conv).eval()
    path = str(tmp_path / 'split.onnx')
    export(split, torch.randn(1, 8, 20, 20), path, ['out'],
           dynamic_axes(['out'], outputs={'out': {
               0: 'b',
               2: 'h',
               3: 'w'
           }}))
    import onnx
    assert not any(n.op_type == 'Conv' and any(list(a.ints) == [3, 3] for a in n.attribute)
                   for n in onnx.load(path).graph.node)
    x = torch.randn(2, 8, *size)
    with torch.no_grad():
        assert rel_err(torch.from_numpy(run(session(path), x)[0]), conv(x)) <= 1e-5


@pytest.mark.parametrize('deploy', [False, True])
def test_classifier_onnx_matches_torch(deploy, tmp_path):
    """The mmpretrain classifier of configs/cls: softmax scores, as mmdeploy exports."""
    cfg = load_config(str(REPO / 'configs/cls/moganet_xt_in1k.py'))
    model = build_model(cfg, None)
    with torch.no_grad():  # spread the fresh head's near-uniform scores
        model.head.fc.weight.mul_(50)
    ref_model = Classifier(model)
    x = torch.randn(2, 3, 160, 139)
    with torch.no_grad():
        ref = ref_model(x)
        if deploy:
            model.backbone.switch_to_deploy()
    path = str(tmp_path / 'cls.onnx')
    export(
        Classifier(model), torch.randn(1, 3, 224, 224), path, ['scores'], dynamic_axes(['scores']))
    scores = torch.from_numpy(run(session(path), x)[0])
    assert scores.shape == (2, 1000)
    assert torch.allclose(scores.sum(1), torch.ones(2), atol=1e-5) and scores.max() > 0.01
    assert rel_err(scores, ref) <= 1e-4
