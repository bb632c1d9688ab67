"""Original ImageNet classifiers -> mmpretrain checkpoints with identical logits."""
import contextlib
import io
import subprocess
import sys

import numpy as np
import pytest
import torch

from moganet_mm import MogaNet
from moganet_mm.converters import moganet_to_mmpretrain as converter

from conftest import REPO, rel_err

CONVERTER = REPO / 'tools' / 'model_converters' / 'moganet_to_mmpretrain.py'
CONFIGS = REPO / 'configs' / 'cls'


def convert(src, dst, *extra):
    """Run the converter's CLI in-process: (returncode, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            converter.main([str(src), str(dst), *extra])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
            if not isinstance(exc.code, int):
                print(exc.code, file=err)
    return subprocess.CompletedProcess([], code, out.getvalue(), err.getvalue())


def init_model(config, checkpoint):
    from mmpretrain.apis import init_model as mmpretrain_init_model
    return mmpretrain_init_model(str(config), str(checkpoint), device='cpu').eval()


def assert_loads_exactly(model, checkpoint):
    """Every model key is in the file and nothing else: no missing, no unexpected."""
    state = torch.load(checkpoint, map_location='cpu', weights_only=True)['state_dict']
    own = model.state_dict()
    assert sorted(set(own) - set(state)) == []  # missing
    assert sorted(set(state) - set(own)) == []  # unexpected
    model.load_state_dict(state, strict=True)


@pytest.fixture(scope='module')
def converted_reference(reference, tmp_path_factory):
    """The fixture's xtiny classifier, saved as a release file, converted."""
    tmp = tmp_path_factory.mktemp('cls_ref')
    src = tmp / 'moganet_xtiny_sz224_8xbs128_ep300.pth.tar'
    torch.save(dict(state_dict=reference['state_dict'], epoch=300, arch='moganet_xtiny'), src)
    dst = tmp / 'moganet_xt_in1k_mmpretrain.pth'
    res = subprocess.run([sys.executable, str(CONVERTER),
                          str(src), str(dst)],
                         capture_output=True,
                         text=True,
                         cwd=REPO)
    assert res.returncode == 0, res.stderr
    assert "arch 'xtiny'" in res.stdout and '1000 classes' in res.stdout
    return src, dst


def test_reference_logits_exact(reference, converted_reference):
    _, dst = converted_reference
    model = init_model(CONFIGS / 'moganet_xt_in1k.py', dst)
    assert_loads_exactly(model, dst)
    with torch.no_grad():
        logits = model(reference['input'], mode='tensor')
    assert logits.shape == reference['logits'].shape == (2, 1000)
    err = rel_err(logits, reference['logits'])
    print(f'reference logits relative max error: {err:.3e}')
    assert err <= 1e-4


def original_format(arch, hw, num_classes=1000, seed=0):
    """An original-format classifier state dict with random, non-trivial weights,
    and a function computing its logits directly (backbone -> mean -> Linear).
    BN statistics are calibrated on random images of size ``hw``."""
    torch.manual_seed(seed)
    backbone = MogaNet(arch=arch, out_indices=(3, ))
    backbone.init_weights()
    with torch.no_grad():  # make every layer scale, sigma and BN statistic matter
        for name, t in backbone.named_parameters():
            if 'layer_scale' in name:
                t.uniform_(0.1, 0.5)
            elif 'sigma.scale' in name:
                t.uniform_(0.1, 0.5)
        for m in backbone.modules():  # calibrate BN statistics on random images
            if isinstance(m, torch.nn.BatchNorm2d):
                m.reset_running_stats()
                m.momentum = None
        backbone.train()
        for _ in range(2):
            backbone(torch.randn(4, 3, *hw))
    head = torch.nn.Linear(backbone.embed_dims[-1], num_classes)
    state = dict(backbone.state_dict())
    state['head.weight'], state['head.bias'] = head.weight.detach(), head.bias.detach()
    backbone.eval()

    def logits(x):
        with torch.no_grad():
            return head(backbone(x)[-1].mean(dim=(2, 3)))

    return state, logits


@pytest.mark.parametrize('arch,config,hw', [('tiny', 'moganet_t_in1k_256.py', (97, 131))])
def test_other_arch_and_size(tmp_path, arch, config, hw):
    state, direct = original_format(arch, hw)
    src, dst = tmp_path / 'orig.pth', tmp_path / 'out.pth'
    torch.save({'model': state}, src)  # some tools store the weights under 'model'
    res = convert(src, dst)
    assert res.returncode == 0, res.stderr
    model = init_model(CONFIGS / config, dst)
    assert_loads_exactly(model, dst)
    x = torch.randn(2, 3, *hw)
    with torch.no_grad():
        ours = model(x, mode='tensor')
    assert rel_err(ours, direct(x)) <= 1e-4


def test_ema_copy_and_refusals(reference, converted_reference, tmp_path):
    src, dst = converted_reference
    state = reference['state_dict']
    ema = {k: (v + 1 if k == 'head.bias' else v) for k, v in state.items()}
    with_ema = tmp_path / 'with_ema.pth'
    torch.save(dict(state_dict=state, state_dict_ema=ema), with_ema)
    out = tmp_path / 'ema.pth'
    assert convert(with_ema, out, '--ema').returncode == 0
    got = torch.load(out, weights_only=True)['state_dict']['head.fc.bias']
    assert torch.equal(got, state['head.bias'] + 1)
    # --ema where there is none: a clear error
    res = convert(src, tmp_path / 'x.pth', '--ema')
    assert res.returncode != 0 and 'no state_dict_ema' in res.stderr
    # never overwrites without --overwrite
    before = dst.read_bytes()
    res = convert(src, dst)
    assert res.returncode != 0 and '--overwrite' in res.stderr
    assert dst.read_bytes() == before
    assert convert(src, dst, '--overwrite').returncode == 0
    # a backbone-only file has no classifier to convert
    backbone_only = tmp_path / 'backbone.pth'
    torch.save({k: v for k, v in state.items() if not k.startswith('head.')}, backbone_only)
    res = convert(backbone_only, tmp_path / 'y.pth')
    assert res.returncode != 0 and 'no classifier' in res.stderr


def test_inferencer_classifies_image(reference, tmp_path):
    """ImageClassificationInferencer with a converted model: the class the
    weights favour comes back, with its ImageNet name."""
    from mmpretrain.apis import ImageClassificationInferencer
    from mmpretrain.datasets.categories import IMAGENET_CATEGORIES
    state = dict(reference['state_dict'])
    target = 281  # tabby cat
    bias = torch.zeros(1000)
    bias[target] = 50.
    state['head.bias'] = state['head.bias'] + bias
    src, dst = tmp_path / 'orig.pth', tmp_path / 'out.pth'
    torch.save(dict(state_dict=state), src)
    assert convert(src, dst).returncode == 0
    image = np.random.default_rng(0).integers(0, 256, (300, 260, 3), dtype=np.uint8)
    inferencer = ImageClassificationInferencer(
        model=str(CONFIGS / 'moganet_xt_in1k.py'), pretrained=str(dst), device='cpu')
    result = inferencer(image)[0]
    assert result['pred_label'] == target
    assert result['pred_class'] == IMAGENET_CATEGORIES[target]
    assert abs(sum(result['pred_scores']) - 1) < 1e-4
