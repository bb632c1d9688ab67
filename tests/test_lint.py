"""The code passes the lint configuration of setup.cfg (what ``make lint`` runs)."""
import subprocess
import sys

import pytest

from tools.paths import REPO

LINT_PATHS = ['moganet_mm', 'tools', 'tests', '.dev_scripts', 'configs', 'setup.py']
FORMAT_PATHS = [p for p in LINT_PATHS if p != 'configs']


@pytest.mark.parametrize(
    'command',
    [
        ['flake8', *LINT_PATHS],
        ['isort', '--check-only', '--diff', *LINT_PATHS],
        # yapf formats every file again (20-30 s on 2 cores): make lint and make test run it
        pytest.param(['yapf', '--diff', '--recursive', *FORMAT_PATHS], marks=pytest.mark.slow),
    ],
    ids=['flake8', 'isort', 'yapf'])
def test_lint(command):
    out = subprocess.run([sys.executable, '-m', *command],
                         cwd=REPO,
                         capture_output=True,
                         text=True,
                         timeout=600)
    # each exits 1 on a finding; yapf --diff also prints the diff it would apply
    found = out.returncode != 0 or command[0] == 'yapf' and out.stdout.strip()
    assert not found, (out.stdout + out.stderr)[-3000:]
