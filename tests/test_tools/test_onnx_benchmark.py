"""tools/analysis/benchmark.py's ONNX Runtime rows: the backbone exported (eager and
deploy mode) and timed beside the torch rows, with their ratio to the fastest path."""
import json
import subprocess
import sys

from conftest import REPO


def test_benchmark_times_onnx_runtime_rows(tmp_path):
    out = tmp_path / 'bench.json'
    proc = subprocess.run([
        sys.executable, '-m', 'tools.analysis.benchmark', '--models', 'moganet_xt', '--variants',
        'eager,ort,deploy+ort', '--batch-sizes', '1', '--no-dense', '--no-memory', '--repeats', '1',
        '--min-time', '0.01', '--json',
        str(out)
    ],
                          cwd=REPO,
                          capture_output=True,
                          text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = {r['row']: r for r in json.loads(out.read_text())['rows']}
    assert set(rows) == {'moganet_xt:eager', 'moganet_xt:ort', 'moganet_xt:deploy+ort'}
    assert all(r['img/s bs1'] > 0 for r in rows.values())
    assert '| moganet_xt:deploy+ort | ' in proc.stdout
