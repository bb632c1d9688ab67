"""moganet_mm installed the ordinary way: ``python -m build`` makes an sdist and, from
it, a wheel that carries the configs, the model index and the metafiles in
``moganet_mm/.mim/`` and no top-level package but ``moganet_mm``; installed
non-editable into a fresh venv (which sees the pinned stack of ``.venv`` through a
``.pth``), it answers ``mim search``, loads every config and lets a user's config
inherit ours from any folder."""
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest
import yaml

from moganet_mm.version import __version__
from tools.paths import REPO

pytestmark = pytest.mark.slow

TASKS = ('cls', 'det', 'seg', 'pose', 'video')


def run(cmd, cwd, **kw):
    out = subprocess.run([str(c) for c in cmd],
                         cwd=cwd,
                         capture_output=True,
                         text=True,
                         timeout=600,
                         **kw)
    assert out.returncode == 0, f'{cmd}:\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}'
    return out.stdout


def model_names():
    return [
        m['Name'] for t in TASKS
        for m in yaml.safe_load((REPO / f'configs/{t}/metafile.yml').read_text())['Models']
    ]


@pytest.fixture(scope='module')
def built(tmp_path_factory):
    """(sdist, wheel built from the sdist, wheel built from the tree) of a copy of the
    checkout's files (building in place would turn its .mim links into copies)."""
    tmp = tmp_path_factory.mktemp('packaging')
    files = run(['git', 'ls-files', '-co', '--exclude-standard'], REPO).split()
    src = tmp / 'src'
    for name in files:
        if name.startswith('tests/data/') or not (REPO / name).exists():
            continue
        dst = src / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_bytes((REPO / name).read_bytes())  # links become files, as in a clone
    run([sys.executable, '-m', 'build', '--no-isolation', '--outdir', tmp / 'dist', src], src)
    run([
        sys.executable, '-m', 'build', '--no-isolation', '--wheel', '--outdir', tmp / 'direct', src
    ], src)
    (sdist, ), (wheel, ), (direct, ) = [
        sorted((tmp / d).glob(g))
        for d, g in [('dist', '*.tar.gz'), ('dist', '*.whl'), ('direct', '*.whl')]
    ]
    return sdist, wheel, direct


def test_wheel_holds_the_package_configs_and_model_index(built):
    _, wheel, direct = built
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split('/')[0] for n in names}
    assert tops == {'moganet_mm', f'moganet_mm-{__version__}.dist-info'}, tops
    configs = sorted(
        str(p.relative_to(REPO)) for p in (REPO / 'configs').rglob('*')
        if p.suffix in ('.py', '.yml'))
    assert len(configs) > 70
    missing = [c for c in configs if f'moganet_mm/.mim/{c}' not in names]
    assert not missing, missing
    assert 'moganet_mm/.mim/model-index.yml' in names
    assert 'moganet_mm/.mim/configs/_base_/moganet_sizes.py' in names  # the link's target
    # the sdist rebuilds the wheel the tree builds
    assert sorted(names) == sorted(zipfile.ZipFile(direct).namelist())


@pytest.fixture(scope='module')
def venv(built, tmp_path_factory):
    """A fresh venv with the wheel installed (not editable); the pinned stack comes from
    .venv's site-packages through a .pth, after the venv's own."""
    path = tmp_path_factory.mktemp('venv') / 'venv'
    run([sys.executable, '-m', 'venv', path], REPO)
    python = path / 'bin' / 'python'
    run([python, '-m', 'pip', 'install', '-q', '--no-deps', '--no-index', built[1]], REPO)
    site = run([python, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
               REPO).strip()
    Path(site, '_pinned_stack.pth').write_text(sysconfig.get_paths()['purelib'] + '\n')
    return python


def test_installed_package_is_the_wheel_and_registers(venv, tmp_path):
    code = textwrap.dedent("""
        import moganet_mm
        from mmengine.registry import MODELS
        print(moganet_mm.__file__)
        print(MODELS.get('MogaNet').__module__)
    """)
    out = run([venv, '-c', code], tmp_path).split()
    assert str(REPO) not in out[0] and 'site-packages' in out[0], out
    assert out[1] == 'moganet_mm.models.backbones.moganet'


def test_mim_search_lists_every_model(venv, tmp_path):
    out = run([venv, '-W', 'ignore', '-m', 'mim', 'search', 'moganet_mm', '--valid-config'],
              tmp_path)
    listed = set(yaml.safe_load(out.split('valid config ids:', 1)[1]))
    names = model_names()
    assert len(names) == 48 and listed == set(names), set(names) ^ listed


def test_every_installed_config_loads(venv, tmp_path):
    code = textwrap.dedent("""
        import glob, os
        from mmengine.config import Config
        import moganet_mm
        root = os.path.dirname(moganet_mm.get_config_path('det/mask_rcnn_moganet_s_1x.py'))
        root = os.path.dirname(root)
        paths = sorted(p for p in glob.glob(root + '/**/*.py', recursive=True))
        for p in paths:
            Config.fromfile(p)
        print(len(paths), root)
    """)
    count, root = run([venv, '-W', 'ignore', '-c', code], tmp_path).split()
    assert 'site-packages/moganet_mm/.mim/configs' in root
    assert int(count) == len([p for p in (REPO / 'configs').rglob('*.py')])


def test_user_config_inherits_ours_from_any_folder(venv, tmp_path):
    """The documented way: the absolute path from get_config_path in ``_base_``."""
    base = run([
        venv, '-c', 'import moganet_mm; print(moganet_mm.get_config_path('
        '"det/mask_rcnn_moganet_s_1x.py"))'
    ], tmp_path).strip()
    (tmp_path / 'my_mask_rcnn.py').write_text(
        f'_base_ = [{base!r}]\n'
        "model = dict(backbone=dict(init_cfg=None), roi_head=dict(\n"
        "    bbox_head=dict(num_classes=3), mask_head=dict(num_classes=3)))\n")
    code = textwrap.dedent("""
        from mmengine.config import Config
        from moganet_mm.codebases import build_model
        cfg = Config.fromfile('my_mask_rcnn.py')
        model = build_model(cfg.model, 'mmdet')
        print(type(model.backbone).__name__, model.roi_head.bbox_head.num_classes,
              cfg.model.backbone.arch)
    """)
    out = run([venv, '-W', 'ignore', '-c', code], tmp_path).split()
    assert out == ['MogaNet', '3', 'small'], out


def test_command_lines_run_from_the_installed_package(venv, tmp_path):
    """The swap tool, the export tool and a converter, as console commands of the
    installed wheel: ``--help`` and one real call each, outside the checkout."""
    bin_dir = venv.parent
    for command in ('moganet-swap', 'moganet-export', 'moganet-convert-mm',
                    'moganet-convert-mmpretrain', 'moganet-convert-openstl'):
        assert 'usage' in run([bin_dir / command, '--help'], tmp_path)
    out = run([
        bin_dir / 'moganet-swap', 'mmpretrain::resnet/resnet18_8xb32_in1k.py', '--arch', 'xt',
        '--pretrained', 'none', '--out', 'resnet18_moganet_xt.py'
    ], tmp_path)
    assert 'MogaNet-xtiny' in out and (tmp_path / 'resnet18_moganet_xt.py').is_file(), out
    config = run([
        venv, '-c', 'import moganet_mm; print(moganet_mm.get_config_path('
        '"cls/moganet_xt_in1k.py"))'
    ], tmp_path).strip()
    out = run([bin_dir / 'moganet-export', config, 'none', 'xt.onnx'], tmp_path)
    assert (tmp_path / 'xt.onnx').is_file() and 'ONNX Runtime vs PyTorch' in out, out
    reference = REPO / 'tests/data/reference/reference_xtiny_160x192.pth'
    out = run([bin_dir / 'moganet-convert-mm', reference, 'xt_mm.pth'], tmp_path)
    assert "arch 'xtiny'" in out and (tmp_path / 'xt_mm.pth').is_file(), out
