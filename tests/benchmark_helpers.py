"""Run tools/analysis/benchmark.py as a user does, and read back its table's rows."""
import json
import subprocess
import sys

from conftest import REPO

#: one quick timing of batch 1 at 224 only (no dense input, no memory probe)
QUICK = ['--batch-sizes', '1', '--no-dense', '--no-memory', '--repeats', '1', '--min-time', '0.01']


def run_benchmark(*args, out=None, env=None):
    """The finished ``python -m tools.analysis.benchmark ARGS`` process, run from the
    repo root; with ``out``, ``--json out`` is added and the rows come back too:
    ``(process, {row name: row})``."""
    json_args = ['--json', str(out)] if out else []
    proc = subprocess.run([sys.executable, '-m', 'tools.analysis.benchmark', *args, *json_args],
                          cwd=REPO,
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=600)
    if out is None:
        return proc
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc, {r['row']: r for r in json.loads(out.read_text())['rows']}
