"""The OpenMMLab model index (``model-index.yml`` + ``configs/*/metafile.yml``).

Ties the index to the configs (every entry's config exists and builds, every
config has an entry), to the model-zoo tool (Parameters for every entry, FLOPs for
the small ones, counted again), to the paper's tables and the authors' README, and
checks that ``mim search moganet_mm`` lists every model with its metrics.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from moganet_mm.releases import RELEASES
from tools.paths import REPO

import model_index as mi

VENV_BIN = Path(sys.executable).parent


@pytest.fixture(scope='module')
def models():
    from modelindex.load_model_index import load
    index = load(str(REPO / 'model-index.yml'))
    return {m.name: m for m in index.models}


@pytest.fixture(scope='module')
def raw():
    """{name: entry dict} as written in the metafiles."""
    out = {}
    for task in mi.TASKS:
        for m in yaml.safe_load((REPO / f'configs/{task}/metafile.yml').read_text())['Models']:
            assert m['Name'] not in out, f"{m['Name']} is indexed twice"
            out[m['Name']] = m
    return out


def test_index_imports_the_metafile_of_every_task():
    index = yaml.safe_load((REPO / 'model-index.yml').read_text())
    assert index == {'Import': [f'configs/{t}/metafile.yml' for t in mi.TASKS]}
    # mim reads <package>/.mim/model-index.yml and resolves the configs from there
    mim_dir = REPO / 'moganet_mm' / '.mim'
    assert (mim_dir / 'model-index.yml').resolve() == (REPO / 'model-index.yml').resolve()
    assert (mim_dir / 'configs').resolve() == (REPO / 'configs').resolve()


def test_every_config_has_exactly_one_entry_and_every_entry_a_config(models, raw):
    configs = {f'configs/{p.parent.name}/{p.name}' for p in mi.config_paths()}
    assert {m['Config'] for m in raw.values()} == configs
    assert set(models) == set(raw)
    for m in models.values():
        assert (REPO / m.config).is_file(), m.config
    # the paper's 45 rows with configs here, plus the README-only rows and the video rows
    assert len(models) >= 46


def test_entries_have_the_openmmlab_fields(raw):
    for name, m in raw.items():
        assert m['In Collection'] in mi.COLLECTIONS, name
        meta = m['Metadata']
        for key in ('Parameters', 'FLOPs', 'Training Data', 'Batch Size'):
            assert key in meta, (name, key)
        assert ('Epochs' in meta) != ('Iterations' in meta), name
        assert m['Results'] and all(r['Metrics'] for r in m['Results']), name
        assert all(isinstance(v, float) for r in m['Results'] for v in r['Metrics'].values())


@pytest.mark.slow
def test_every_entry_builds_with_the_indexed_parameter_count(raw):
    """Builds each config the way the zoo tool does and counts its parameters (every
    entry; FLOPs, which need a forward at the paper's input, for two small ones below)."""
    from zoo_tasks import TASKS as ZOO
    for name, m in raw.items():
        spec = ZOO[m['Config'].split('/')[1]]
        module, _ = spec.build_for_counting(
            mi.load_config(REPO / m['Config']), mi.input_size(REPO / m['Config']))
        params = sum(p.numel() for p in spec.counted_module(module).parameters())
        # the index keeps the zoo tool's precision, 0.01 M
        assert round(params / 1e6, 2) == m['Metadata']['Parameters'] / 1e6, name
        del module


@pytest.mark.slow
@pytest.mark.parametrize(
    'config', ['configs/cls/moganet_xt_in1k.py', 'configs/pose/topdown_moganet_xt_coco_256x192.py'])
def test_flops_and_params_agree_with_the_model_zoo_tool(config, raw):
    from model_zoo import count
    row = count(str(REPO / config))
    entry = next(m for m in raw.values() if m['Config'] == config)
    assert row['params_M'] == round(entry['Metadata']['Parameters'] / 1e6, 2)
    flops = entry['Metadata']['FLOPs'] / 1e9
    assert row['flops_G'] == round(flops, 1 if flops > 100 else 2)
    assert row['ok']


def test_results_are_the_paper_tables_and_the_readme(raw):
    for name, m in raw.items():
        metrics = {k: v for r in m['Results'] for k, v in r['Metrics'].items()}
        paper, _ = mi.paper_results(name)
        readme = RELEASES[name]['readme'] or {}
        for key, value in paper.items():
            assert metrics[key] == value, (name, key)
        for key, value in readme.items():
            assert metrics.get(f'{key} (released file)', metrics[key]) == value, (name, key)


def test_known_rows():
    """Spot checks against the sources, read by hand."""
    entries = {
        m['Name']: m
        for t in mi.TASKS
        for m in yaml.safe_load((REPO / f'configs/{t}/metafile.yml').read_text())['Models']
    }

    def metrics(name):
        return {k: v for r in entries[name]['Results'] for k, v in r['Metrics'].items()}

    # paper 47.9 / 43.2, the README (the released file) 49.0 / 43.8
    assert metrics('mask_rcnn_moganet_b_1x') == {
        'box AP': 47.9,
        'box AP (released file)': 49.0,
        'mask AP': 43.2,
        'mask AP (released file)': 43.8
    }
    assert 'released file' in entries['mask_rcnn_moganet_b_1x']['Notes']
    assert metrics('retinanet_moganet_s_1x') == {'box AP': 45.8}
    assert metrics('upernet_moganet_xl_160k_ade20k_640') == {'mIoU': 54.0}
    assert metrics('topdown_moganet_b_coco_384x288')['AP'] == 77.3
    assert metrics('moganet_s_in1k') == {'Top 1 Accuracy': 83.4, 'Top 5 Accuracy': 96.9}
    assert metrics('mask_rcnn_moganet_t_3x') == {'box AP': 45.3, 'mask AP': 40.7}
    for name in ('cascade_mask_rcnn_moganet_xl_3x', 'upernet_moganet_xl_160k_ade20k_640'):
        assert 'Weights' not in entries[name]
        assert 'IN-21K' in entries[name]['Notes']
        assert 'ImageNet-21k (backbone pre-training)' in entries[name]['Metadata']['Training Data']
    assert 'Weights' not in entries['cascade_mask_rcnn_moganet_l_3x']
    assert entries['fpn_moganet_s_80k_ade20k']['Weights'].endswith(
        'moganet-seg-weights/fpn_moganet_small_80k_ade20k.pth')
    # the plain Cascade S: no paper row; the authors' README row 51.4 / 44.9, 77.9M /
    # 405.4G (our count 404.5G: -0.2%)
    plain = entries['cascade_mask_rcnn_moganet_s_3x_plain']
    assert metrics('cascade_mask_rcnn_moganet_s_3x_plain') == {'box AP': 51.4, 'mask AP': 44.9}
    assert plain['Weights'].endswith(
        'moganet-det-weights/cascade_mask_rcnn_moganet_s_fpn_ms_3x_coco.pth')
    assert abs(plain['Metadata']['Parameters'] / 77.9e6 - 1) < 0.005
    assert abs(plain['Metadata']['FLOPs'] / 405.4e9 - 1) < 0.01


@pytest.mark.slow
def test_index_and_generated_tables_are_current():
    """model-index.yml, the metafiles and the Markdown tables are what the generator
    writes from the configs, the paper tables and releases.py (counts kept)."""
    assert mi.main(['--check']) == 0, \
        'stale: run .venv/bin/python .dev_scripts/model_index.py --reuse'


def test_mim_parses_every_model_with_metrics():
    """mim's own reader (``convert2df``) over the index: one row per model, metrics set."""
    from mim.commands.search import convert2df
    from modelindex.load_model_index import load
    df = convert2df(load(str(REPO / 'model-index.yml')))
    assert len(df) >= 46
    metric_cols = [c for c in df.columns if '/' in c]
    for name, row in df.iterrows():
        assert row[metric_cols].notna().any(), name


@pytest.mark.slow
def test_mim_search_lists_every_model():
    """``mim search moganet_mm`` as a user runs it after ``make install``."""
    env = dict(os.environ, PATH=f'{VENV_BIN}{os.pathsep}{os.environ.get("PATH", "")}')
    out = subprocess.run([str(VENV_BIN / 'mim'), 'search', 'moganet_mm'],
                         cwd='/',
                         env=env,
                         capture_output=True,
                         text=True)
    assert out.returncode == 0, (
        'mim search moganet_mm failed; `make install` links moganet_mm into site-packages '
        f'so that mim finds moganet_mm/.mim/model-index.yml:\n{out.stderr[-2000:]}')
    for m in yaml.safe_load((REPO / 'configs/det/metafile.yml').read_text())['Models']:
        assert m['Name'] in out.stdout
    names = [
        m['Name'] for t in mi.TASKS
        for m in yaml.safe_load((REPO / f'configs/{t}/metafile.yml').read_text())['Models']
    ]
    missing = [n for n in names if n not in out.stdout]
    assert not missing, missing
    assert 'coco/box_ap' in out.stdout and 'ade20k/miou' in out.stdout
