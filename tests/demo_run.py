"""Run a demo (tools/demo/<task>.py) shortened, as the suite does, and read its summary."""
import json
import subprocess
import sys
from pathlib import Path

from tools.paths import REPO


def run_demo(task, tmp_path, *flags, expect_rc=0, timeout=1500):
    """``tools/demo/<task>.py`` with ``flags`` in a fresh data and work folder; returns
    (summary dict, stdout + stderr). Fails the test on another exit status."""
    data, work = tmp_path / 'data', tmp_path / 'work'
    cmd = [
        sys.executable, f'tools/demo/{task}.py', '--data-root',
        str(data), '--work-dir',
        str(work), *map(str, flags)
    ]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    out = proc.stdout + proc.stderr
    assert proc.returncode == expect_rc, f'{cmd} exited {proc.returncode}:\n{out[-4000:]}'
    summary = json.loads((work / 'demo_summary.json').read_text())
    assert summary['task'] == task and (data / 'toy_dataset.json').is_file()
    return summary, out


def assert_learned(summary, metric, floor):
    """The trained model reaches ``floor`` on ``metric``; the same run's untrained
    model does not (the floor proves learning)."""
    trained, untrained = summary['metrics'][metric], summary['untrained_metrics'][metric]
    assert untrained < floor <= trained, (metric, untrained, floor, trained)
    assert summary['floors'][metric] == floor and metric not in summary['missed'], summary
    picture = summary['picture']
    assert picture is None or Path(picture).is_file(), picture


def export_fidelity(work, metrics, same_tol, graph_tol, int8_tol, calib_count=8):
    """The demo's trained model in ``work`` exported and scored by its codebase's metric
    (moganet_mm.deploy.evaluate, ONNX Runtime): for each of ``metrics``, ONNX Runtime
    f32 scores what the exported module scores in PyTorch (within ``same_tol``: float
    rounding may flip a tied detection or pixel), that module what the codebase's own
    test step scores (within ``graph_tol``: what the graph leaves out, e.g. the flip
    test), and int8 with the recipe of docs/deploy.md (fc2 and proj_2 kept f32) its
    f32 (within ``int8_tol``). Returns {variant: metrics}."""
    from moganet_mm.deploy.evaluate import evaluate
    from moganet_mm.deploy.quantize import MOGANET_KEEP_FLOAT
    summary = json.loads((work / 'demo_summary.json').read_text())
    config = work / Path(summary['config']).name
    checkpoint = (work / 'last_checkpoint').read_text().strip()
    result = evaluate(
        str(config),
        checkpoint, ('ort', ),
        calib_count=calib_count,
        keep_float=MOGANET_KEEP_FLOAT,
        log=print)
    rows = {r['variant']: r['metrics'] for r in result['rows']}
    assert list(rows) == [
        'pytorch', 'pytorch graph', 'ort f32', 'ort int8', 'ort int8, fc2+proj_2 f32'
    ], list(rows)
    for m in metrics:
        got = {k: v[m] for k, v in rows.items()}
        assert abs(got['ort f32'] - got['pytorch graph']) <= same_tol, (m, got)
        assert abs(got['pytorch graph'] - got['pytorch']) <= graph_tol, (m, got)
        assert abs(got['ort int8, fc2+proj_2 f32'] - got['ort f32']) <= int8_tol, (m, got)
    return rows
