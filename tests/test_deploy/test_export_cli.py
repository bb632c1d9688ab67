"""tools/deploy/export_onnx.py: exports a config's model and checks it with ONNX
Runtime; refuses what cannot export with one clear line, and never overwrites."""
import subprocess
import sys

import pytest
import torch

from moganet_mm.deploy.cli import main

from conftest import REPO

CLS_XT = str(REPO / 'configs/cls/moganet_xt_in1k.py')


def refused(*argv):
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in argv])
    return str(exc.value.code)


@pytest.mark.slow
def test_cli_exports_deploy_classifier_dynamic_and_checks_it(tmp_path):
    """As a user runs it: a script from the repo root, a checkpoint, --deploy --dynamic."""
    from moganet_mm.deploy.models import build_model, load_config
    model = build_model(load_config(CLS_XT), None)
    ckpt = tmp_path / 'xt.pth'
    torch.save({'state_dict': model.state_dict()}, ckpt)
    out = tmp_path / 'xt.onnx'
    proc = subprocess.run([
        sys.executable, 'tools/deploy/export_onnx.py', CLS_XT,
        str(ckpt),
        str(out), '--deploy', '--dynamic', '--shape', '97', '131'
    ],
                          cwd=REPO,
                          capture_output=True,
                          text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'classifier (ImageClassifier, deploy mode)' in proc.stdout
    diff = float(proc.stdout.split('scores: ONNX Runtime vs PyTorch, difference ')[1].split()[0])
    assert diff <= 1e-4 and out.stat().st_size > 1e6
    import onnx
    dims = onnx.load(str(out)).graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_param or d.dim_value for d in dims] == ['batch', 3, 'height', 'width']
    # the output exists now: a second run refuses to overwrite it
    assert 'exists; pass --force' in refused(CLS_XT, ckpt, out)


def test_bad_input_is_refused_by_name(tmp_path):
    out = tmp_path / 'm.onnx'
    assert 'OUT must end in .onnx' in refused(CLS_XT, 'none', tmp_path / 'm.pt')
    assert "config 'nope.py' does not exist" in refused('nope.py', 'none', out)
    assert "checkpoint 'missing.pth' does not exist (pass 'none'" in \
        refused(CLS_XT, 'missing.pth', out)
    assert '--shape >= 32 x 32' in refused(CLS_XT, 'none', out, '--shape', '16', '224')
    assert '--opset must be in 7..20' in refused(CLS_XT, 'none', out, '--opset', '3')
    assert not out.exists()


def test_checkpoint_of_another_model_is_refused(tmp_path):
    ckpt = tmp_path / 'other.pth'
    torch.save({'state_dict': {'backbone.foo.weight': torch.zeros(1)}}, ckpt)
    msg = refused(CLS_XT, ckpt, tmp_path / 'm.onnx')
    assert 'does not fit the config' in msg and 'backbone.foo.weight' in msg


def test_deploy_refuses_groupnorm_and_non_moganet_backbones(tmp_path):
    gn = tmp_path / 'gn.py'
    gn.write_text(f"_base_ = ['{CLS_XT}']\n"
                  "model = dict(backbone=dict(norm_cfg=dict(type='GN')))\n")
    assert '--deploy: Only BatchNorm' in refused(gn, 'none', tmp_path / 'm.onnx', '--deploy')
    resnet = tmp_path / 'resnet.py'
    resnet.write_text("_base_ = ['mmpretrain::resnet/resnet18_8xb32_in1k.py']\n")
    msg = refused(resnet, 'none', tmp_path / 'm.onnx', '--deploy')
    assert 'ResNet, which has no deploy mode' in msg


def test_unsupported_task_models_are_named(tmp_path):
    cascade = REPO / 'configs/det/cascade_mask_rcnn_moganet_s_3x.py'
    msg = refused(cascade, 'none', tmp_path / 'm.onnx')
    assert 'CascadeRoIHead' in msg and 'StandardRoIHead' in msg
    retina = REPO / 'configs/det/retinanet_moganet_xt_1x.py'
    assert 'two-stage detectors' in refused(retina, 'none', tmp_path / 'r.onnx')


def test_fresh_model_downloads_nothing(monkeypatch):
    """``build_model(cfg, None)`` of a codebase's own config initializes fresh weights
    without fetching its pretrained backbone: mmseg names it in ``model.pretrained``
    (``open-mmlab://resnet50_v1c``), which the whole-model benchmark once tried to
    download on a machine without network."""
    import os

    import mmengine.runner.checkpoint as ckpt
    from mmengine.utils import get_installed_path

    from moganet_mm.deploy.models import build_model, load_config

    def no_download(*args, **kwargs):
        raise AssertionError(f'tried to download {args[:1]}')

    monkeypatch.setattr(ckpt, 'load_from_http', no_download)
    cfg = load_config(
        os.path.join(
            get_installed_path('mmseg'), '.mim', 'configs', 'upernet',
            'upernet_r50_4xb4-160k_ade20k-512x512.py'))
    assert cfg.model.pretrained == 'open-mmlab://resnet50_v1c'
    model = build_model(cfg, None)
    assert type(model.backbone).__name__ == 'ResNetV1c'


def test_cuda_session_never_falls_back_to_the_cpu(tmp_path, monkeypatch):
    """device='cuda' without a CUDA provider is refused; with one listed but unable to
    start (onnxruntime-gpu where CUDA fails to load: it then runs on the CPU with only
    a log line), the session is refused too, so no CPU time is reported as a GPU's."""
    import onnxruntime

    from moganet_mm.deploy.ort import session
    path = tmp_path / 'relu.onnx'
    torch.onnx.export(torch.nn.ReLU(), (torch.randn(1, 3), ), str(path), dynamo=False)
    assert session(path).get_providers() == ['CPUExecutionProvider']
    # the CPU build of onnxruntime (what make install puts on a machine without a GPU)
    monkeypatch.setattr(onnxruntime, 'get_available_providers', lambda: ['CPUExecutionProvider'])
    with pytest.raises(RuntimeError, match='has no CUDAExecutionProvider.*install onnxruntime-gpu'):
        session(path, device='cuda')
    # onnxruntime-gpu on a machine whose CUDA libraries do not load: listed, not started
    monkeypatch.setattr(onnxruntime, 'get_available_providers',
                        lambda: ['CUDAExecutionProvider', 'CPUExecutionProvider'])
    with pytest.raises(
            RuntimeError,
            match=r"could not start its CUDAExecutionProvider \(the "
            r"session got \['CPUExecutionProvider'\]\)"):
        session(path, device='cuda')
    with pytest.raises(ValueError, match="device must be one of \\['cpu', 'cuda'\\], got 'gpu'"):
        session(path, device='gpu')
