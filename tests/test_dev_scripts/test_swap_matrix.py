"""The compatibility matrix of docs/drop_in.md, one test per row: each of the codebases'
own configs in ``swap_rows.ROWS`` with MogaNet-XT swapped in builds, trains one
step on a small synthetic batch of its data format (finite losses, gradients in the
backbone), predicts the codebase's data samples and is counted (params, FLOPs).

``.dev_scripts/swap_matrix.py`` runs the same rows and writes the table. Run with
``make test`` (with the rest) or ``make test-matrix`` (marker ``matrix``, these only).
"""
import math

import pytest

from swap_rows import ROWS, run_row

pytestmark = [pytest.mark.slow, pytest.mark.matrix]


@pytest.mark.parametrize('row', ROWS, ids=[r.id for r in ROWS])
def test_row(row):
    r = run_row(row, arch='xt')
    detail = f"{r['stage']}: {r['reason']}\n{r.get('traceback', '')}"
    if row.no_training:  # a stated limit of the codebase: predict must still work
        assert r['status'] == 'predict only', detail
    else:
        assert r['status'] == 'works', detail
        assert math.isfinite(r['loss'])
    assert r['params_M'] > 0
    assert r['flops_G'] is not None and r['flops_G'] > 0 or r.get('flops_note'), r
