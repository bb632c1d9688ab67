"""The compatibility matrix (tools/analysis/swap_matrix.py), one test per config:
MogaNet-XT swapped into a codebase's own config builds, trains one step on a
synthetic batch (finite losses, backbone gradients), predicts the codebase's data
samples and is counted."""
import pytest

from tools.swap.matrix import ROWS, run_row

pytestmark = pytest.mark.slow


def test_matrix_covers_the_issue():
    assert len(ROWS) >= 30
    assert {r.codebase for r in ROWS} == {'mmdet', 'mmseg', 'mmpose', 'mmpretrain'}


@pytest.mark.parametrize('row', ROWS, ids=[r.id for r in ROWS])
def test_row(row):
    result = run_row(row, arch='xt')
    expected = 'predict only' if row.no_training else 'works'
    assert result['status'] == expected, (
        f"{row.src} failed at {result['stage']}: {result['reason']}\n"
        f"{result.get('traceback', '')}")
    assert result['params_M'] > 0
    assert row.no_training or result['loss'] == result['loss']  # finite, recorded
