"""One registration serves all four OpenMMLab 2.0 codebases."""
import importlib
import subprocess
import sys

import pytest
import torch

import moganet_mm
from moganet_mm.codebases import CODEBASES


@pytest.mark.parametrize('codebase', CODEBASES)
def test_build_through_codebase_registry(codebase):
    registry = importlib.import_module(f'{codebase}.registry').MODELS
    model = registry.build(dict(type='MogaNet', arch='xt', out_indices=(0, 1, 2, 3)))
    assert isinstance(model, moganet_mm.MogaNet)
    feats = model.eval()(torch.randn(1, 3, 64, 64))
    assert [f.shape[1] for f in feats] == [32, 64, 96, 192]


def test_registered_once_in_root():
    from mmengine.registry import MODELS
    assert MODELS.get('MogaNet') is moganet_mm.MogaNet
    for codebase in CODEBASES:
        registry = importlib.import_module(f'{codebase}.registry').MODELS
        assert 'MogaNet' not in registry.module_dict  # found through the root


@pytest.mark.slow
def test_custom_imports_in_fresh_process():
    """A config's custom_imports is all a codebase needs."""
    code = ("from mmengine.config import Config\n"
            "from mmengine.utils import import_modules_from_strings\n"
            "cfg = Config(dict(custom_imports=dict(imports=['moganet_mm'], "
            "allow_failed_imports=False)))\n"
            "import_modules_from_strings(**cfg.custom_imports)\n"
            "from mmdet.registry import MODELS\n"
            "print(type(MODELS.build(dict(type='MogaNet', arch='t'))).__name__)\n")
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith('MogaNet')
