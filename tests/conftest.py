import os
from pathlib import Path

import pytest
import torch

import moganet_mm  # noqa: F401  (registers MogaNet)


def _share_the_cores_between_workers():
    """Under pytest-xdist (``make test`` runs ``-n auto``), each worker gets an equal
    share of the cores, for its own torch and, through OMP_NUM_THREADS, for the
    trainings it starts as subprocesses. Two 2-thread workers on 2 cores would
    oversubscribe the CPU and run slower than one; two 1-thread workers finish a
    conv training step pair about 1.35x sooner than one 2-thread process does."""
    workers = int(os.environ.get('PYTEST_XDIST_WORKER_COUNT', '1'))
    if workers > 1:
        threads = max(1, (os.cpu_count() or 1) // workers)
        os.environ['OMP_NUM_THREADS'] = str(threads)
        torch.set_num_threads(threads)


_share_the_cores_between_workers()

REPO = Path(__file__).resolve().parents[1]
#: the original implementation's weights, input, outputs and key lists (README.md there)
REFERENCE = REPO / 'tests' / 'data' / 'reference'
PAPER_TABLES = REPO / 'paper_tables'
ARCHS = ['xtiny', 'tiny', 'small', 'base', 'large', 'xlarge']


def rel_err(a: torch.Tensor, b: torch.Tensor) -> float:
    """max|a - b| / max|b|, the fixture's measure."""
    return ((a.double() - b.double()).abs().max() / b.double().abs().max()).item()


@pytest.fixture(scope='session')
def reference():
    return torch.load(
        REFERENCE / 'reference_xtiny_160x192.pth', map_location='cpu', weights_only=True)


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


def pytest_collection_modifyitems(config, items):
    """Files with trainings (a test marked ``slow``) run first: pytest-xdist hands out
    whole files (``--dist loadfile``) in this order, so the last files to start are
    short ones and no core sits idle while the other finishes a long training."""

    def file_of(item):
        return item.nodeid.split('::')[0]

    has_slow = {file_of(item) for item in items if item.get_closest_marker('slow')}
    items.sort(key=lambda item: file_of(item) not in has_slow)
