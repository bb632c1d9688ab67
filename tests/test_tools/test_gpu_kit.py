"""The GPU kit and its one command (tools/gpu/, docs/gpu.md) keep up with the stack.

Fast checks, no network, no GPU: the kit's list pins what make install pins and holds
every package the stack needs that the GPU image lacks; the scripts parse; run_all.sh,
driven by a stand-in python, runs its steps in the planned order, reports each
GPU step "skipped: no CUDA" without a GPU (and runs its --smoke where asked), skips
what its budget cannot hold, and leaves at most the 8 files a device call returns.
The whole rehearsal (a Python 3.12 venv like the GPU image, the real kit, the mmcv
build, every step) is `make gpu-rehearsal`, outside the suite: it takes minutes.
"""
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tarfile

import pytest

from tools.paths import REPO

GPU = REPO / 'tools' / 'gpu'
#: what the stack's packages require that neither the kit nor the image has, and why
NOT_CARRIED = {
    'chumpy': "mmpose's; nothing used needs it and it does not build",
    'opencv-python': "the image's opencv-python-headless is the same cv2",
    'mmcv': 'carried as its patched source, built on the machine',
    'torch': 'the image has it',
    'torchvision': 'the image has it',
    'modelindex': "a placeholder on PyPI; the module modelindex is model-index's (in the kit)",
    'opendatalab': "openmim's download chain, which pins setuptools 60 (make install skips it)",
    'pip': 'the image has it (as every Python environment)',
}
#: the packages whose needs the kit must cover (as make install installs them)
STACK = ['mmengine', 'mmcv', 'mmdet', 'mmsegmentation', 'mmpose', 'mmpretrain', 'openmim']
#: imported without being declared (docs/install.md: mmseg's ftfy and regex)
UNDECLARED = ['ftfy', 'regex']


def canonical(name):
    return re.sub(r'[-_.]+', '-', name).lower()


def requirement_lines(path):
    return [
        line.split('#')[0].strip() for line in path.read_text().splitlines()
        if line.split('#')[0].strip()
    ]


def kit_pins():
    """{name: version} of tools/gpu/kit.txt (every line pins one version)."""
    pins = {}
    for line in requirement_lines(GPU / 'kit.txt'):
        name, sep, version = line.partition('==')
        assert sep and version, f'kit.txt: {line!r} pins no version'
        pins[canonical(name)] = version
    return pins


def image_names():
    return {
        canonical(re.split(r'[<>=!~ ]', line)[0])
        for line in requirement_lines(GPU / 'image.txt')
    }


def test_kit_pins_what_make_install_pins():
    """constraints.txt's exact pins where it has one; else the version in .venv (the one
    the suite passes with)."""
    pins = kit_pins()
    constraints = {}
    for line in requirement_lines(REPO / 'requirements' / 'constraints.txt'):
        name, sep, version = line.partition('==')
        if sep:
            constraints[canonical(name)] = version
    for name, version in pins.items():
        want = constraints.get(name) or importlib.metadata.version(name)
        assert version == want, f'kit.txt pins {name}=={version}; make install has {want}'
    assert {'mmengine', 'mmdet', 'mmsegmentation', 'mmpose', 'mmpretrain'} <= set(pins)


def test_kit_has_every_package_the_stack_needs_beyond_the_image():
    """The stack's requirements, followed through the packages they need (as installed
    in .venv), down to what the image has: each one is in kit.txt or NOT_CARRIED."""
    pins, image = kit_pins(), image_names()
    missing, seen, todo = set(), set(), list(STACK) + UNDECLARED
    while todo:
        name = canonical(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        if name in image or name in NOT_CARRIED:
            continue
        if name not in pins and name not in STACK:
            missing.add(name)
        for req in importlib.metadata.requires(name) or []:
            if 'extra ==' in req or 'python_version < ' in req or 'sys_platform ==' in req:
                continue
            todo.append(re.split(r'[<>=!~;\[ (]', req, maxsplit=1)[0])
    assert not missing, f'the GPU image lacks these and kit.txt does not carry them: {missing}'


def test_kit_replaces_nothing_of_the_image_but_setuptools():
    """numpy, opencv and torch stay the image's (the kit runs on numpy 2); setuptools is
    carried on purpose (81: mmengine and mmcv's setup.py import pkg_resources)."""
    assert set(kit_pins()) & image_names() == {'setuptools'}
    assert kit_pins()['setuptools'].split('.')[0] < '82'


def test_scripts_parse():
    for script in [*GPU.glob('*.sh'), REPO / 'tools' / 'mmcv_patch.sh', REPO / 'tools/install.sh']:
        out = subprocess.run(['bash', '-n', str(script)], capture_output=True, text=True)
        assert out.returncode == 0, f'{script}: {out.stderr}'


def steps_of_run_all():
    """[(name, budget, min, needs)] of run_all.sh's run_step calls, in order."""
    text = (GPU / 'run_all.sh').read_text()
    return [(m[1], int(m[2]), int(m[3]), m[4])
            for m in re.finditer(r'run_step (\w+) (\d+) (\d+) (\S+)', text)]


def test_run_all_plan():
    """The order the issue asks for, and budgets that fit the 9 minutes: the steps that
    need no mmcv ops first, the mmcv build, then the ones that need its ops, the
    training last; every step's minimum fits in the whole budget."""
    steps = steps_of_run_all()
    names = [s[0] for s in steps]
    assert names == [
        'install', 'env', 'bench_backbones', 'mmcv_build', 'check_cuda', 'whole_mask_rcnn',
        'train_amp'
    ]
    build = names.index('mmcv_build')
    assert all('ops' not in needs for _, _, _, needs in steps[:build])
    assert all('ops' in needs and 'cuda' in needs for _, _, _, needs in steps[build + 1:])
    assert all(0 <= low <= budget for _, budget, low, _ in steps)
    total = int(re.search(r'GPU_KIT_TOTAL_S:-(\d+)', (GPU / 'run_all.sh').read_text())[1])
    assert total <= 9 * 60 and sum(low for _, _, low, _ in steps) <= total


STUB = r'''#!/usr/bin/env bash
# a stand-in for the image's python3: answers run_all.sh's questions as a machine
# without CUDA would, runs summary.py for real, and logs every other call
echo "$*" >>"$STUB_LOG"
case "$*" in
    *summary.py*) exec "$REAL_PY" "$@" ;;
    *cuda.is_available\(\)\)\)*) echo 0 ;;
    *get_device_capability*) echo "2.11.0 0 - cp312" ;;
    *numpy.__version__*) echo 2.5.2 ;;
esac
exit 0
'''


@pytest.fixture
def fake_kit(tmp_path):
    """A kit with no packages (the stand-in python installs nothing) but mmcv's source
    layout, and an mmcv build cache with a stand-in extension."""
    kit = tmp_path / 'kit'
    (kit / 'wheels').mkdir(parents=True)
    (kit / 'sdist').mkdir()
    (kit / 'wheels' / 'none-0-py3-none-any.whl').write_bytes(b'')
    src = tmp_path / 'src' / 'mmcv-2.1.0' / 'mmcv'
    src.mkdir(parents=True)
    (src / 'version.py').write_text("__version__ = '2.1.0'\n")
    with tarfile.open(kit / 'mmcv-2.1.0-patched.tar.gz', 'w:gz') as tar:
        tar.add(src.parent, arcname='mmcv-2.1.0')
    cache = tmp_path / 'cache' / 'mmcv-2.1.0-torch2.11.0-cpu-cp312'
    cache.mkdir(parents=True)
    (cache / '_ext.cpython-312-x86_64-linux-gnu.so').write_bytes(b'')
    stub = tmp_path / 'python3'
    stub.write_text(STUB)
    stub.chmod(0o755)
    return tmp_path


def run_all(tmp, **env):
    out = tmp / 'out'
    proc = subprocess.run(['bash', str(GPU / 'run_all.sh')],
                          cwd=tmp,
                          capture_output=True,
                          text=True,
                          timeout=120,
                          env=dict(
                              os.environ,
                              OUT=str(out),
                              GPU_KIT_PYTHON=str(tmp / 'python3'),
                              GPU_KIT_DIR=str(tmp / 'kit'),
                              GPU_KIT_WORK=str(tmp / 'work'),
                              GPU_KIT_MMCV_CACHE=str(tmp / 'cache'),
                              REAL_PY=sys.executable,
                              STUB_LOG=str(tmp / 'calls.log'),
                              **env))
    summary = json.loads((out / 'summary.json').read_text())
    return proc, {s['name']: s for s in summary['steps']}, summary, out


def test_run_all_without_cuda_skips_the_gpu_steps(fake_kit):
    proc, steps, summary, out = run_all(fake_kit)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert list(steps) == [s[0] for s in steps_of_run_all()]
    for name, _, _, needs in steps_of_run_all():
        want = 'skipped: no CUDA' if 'cuda' in needs else 'ok'
        assert steps[name]['status'] == want, steps[name]
    # the one-screen summary at the end, every step on it
    tail = proc.stdout[proc.stdout.index('GPU run summary'):]
    assert all(f'{name} ' in tail for name in steps) and 'skipped: no CUDA' in tail
    # what comes back: at most 8 files, one folder deep here, in the allowed names
    files = [p for p in out.rglob('*') if p.is_file()]
    assert {p.name for p in files} == {'summary.json', 'run_all.log'}
    assert 'skipped: no CUDA' in (out / 'run_all.log').read_text()
    calls = (fake_kit / 'calls.log').read_text()
    assert '--smoke' not in calls and 'install -q --no-index --no-deps --no-compile' in calls


def test_run_all_smoke_runs_the_gpu_steps_on_the_cpu(fake_kit):
    proc, steps, _, _ = run_all(fake_kit, GPU_KIT_SMOKE='1')
    assert proc.returncode == 0, proc.stdout[-3000:]
    for name, _, _, needs in steps_of_run_all():
        if 'cuda' in needs:
            assert steps[name]['status'] == 'skipped: no CUDA'
            assert steps[name]['note'] == 'CPU smoke of the same script: ok', steps[name]
    calls = (fake_kit / 'calls.log').read_text().splitlines()
    smoked = [c for c in calls if c.endswith('--smoke')]
    assert len(smoked) == sum('cuda' in s[3] for s in steps_of_run_all()), smoked


def test_run_all_skips_what_its_budget_cannot_hold(fake_kit):
    proc, steps, _, _ = run_all(fake_kit, GPU_KIT_TOTAL_S='30')
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert steps['mmcv_build']['status'].startswith('skipped: over budget')
    # without mmcv's ops the steps that need them say so (no CUDA comes first here)
    assert steps['train_amp']['status'] == 'skipped: no CUDA'


def test_out_files_fit_what_a_device_call_returns():
    """At most 8 files come back, named in letters, digits, '.', '_' and '-'."""
    text = (GPU / 'run_all.sh').read_text()
    files = set(re.findall(r'\$OUT/([\w.-]+)', text)) | {'summary.json'}
    assert len(files) <= 8, files
    assert all(re.fullmatch(r'[A-Za-z0-9._-]+', f) for f in files)


def test_docs_give_the_exact_call():
    doc = (REPO / 'docs' / 'gpu.md').read_text()
    assert 'command="bash tools/gpu/run_all.sh"' in doc
    assert 'carry=[".gpu_kit"]' in doc and 'timeout_s=600' in doc
    assert 'make gpu-kit' in doc and 'make gpu-rehearsal' in doc
