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
