import os
from pathlib import Path

import pytest
import torch

import moganet_mm  # noqa: F401  (registers MogaNet)

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get('MOGANET_MM_SHARED', REPO.parent / 'shared'))
REFERENCE = SHARED / 'reference'
ARCHS = ['xtiny', 'tiny', 'small', 'base', 'large', 'xlarge']


def rel_err(a: torch.Tensor, b: torch.Tensor) -> float:
    """max|a - b| / max|b|, the fixture's measure."""
    return ((a.double() - b.double()).abs().max() / b.double().abs().max()).item()


@pytest.fixture(scope='session')
def reference():
    path = REFERENCE / 'reference_xtiny_160x192.pth'
    if not path.is_file():
        raise FileNotFoundError(
            f'{path} is missing: the shared reference fixture must sit beside the repo '
            '(../shared) or under $MOGANET_MM_SHARED')
    return torch.load(path, map_location='cpu', weights_only=True)


def original_keys(arch):
    """(key, shape) of the original classifier's state dict, from keys_<arch>.txt."""
    rows = []
    for line in (REFERENCE / f'keys_{arch}.txt').read_text().splitlines():
        key, shape = line.split('\t')
        rows.append((key, tuple(int(s) for s in shape.strip('()').split(',') if s.strip())))
    return rows


@pytest.fixture(autouse=True)
def isolate_default_scope():
    """Each codebase's ``register_all_modules()`` sets MMEngine's global default
    scope (mmdet, mmseg, ...); restore it after every test so that a test building
    through one codebase does not change where the next one looks."""
    from mmengine.registry import DefaultScope
    saved = dict(DefaultScope._instance_dict)
    yield
    DefaultScope._instance_dict.clear()
    DefaultScope._instance_dict.update(saved)
