"""tools/analysis/benchmark.py: the table and JSON it writes, and its memory probe."""
import os

import pytest
import torch

from tools.analysis import benchmark

from benchmark_helpers import QUICK, run_benchmark


@pytest.mark.slow  # a benchmark run of several models
def test_benchmark_writes_rows_and_ratios(tmp_path):
    proc, rows = run_benchmark(
        '--models',
        'moganet_xt',
        '--variants',
        'eager,deploy',
        '--batch-sizes',
        '1',
        '--no-dense',
        '--no-memory',
        '--repeats',
        '1',
        '--profile',
        out=tmp_path / 'bench.json')
    assert '| moganet_xt:deploy | ' in proc.stdout and 'vs eager' in proc.stdout
    assert set(rows) == {'moganet_xt:eager', 'moganet_xt:deploy'}
    assert abs(rows['moganet_xt:eager']['params_M'] - 2.76) < 0.01
    assert all(r['img/s bs1'] > 0 for r in rows.values())
    # the per-operator profile: every conv kind of MogaNet, summing to the total
    prof = rows['moganet_xt:deploy']['profile_ms_bs1']
    assert {'conv 1x1', 'dw 5x5', 'dw 5x5 d2', 'dw 7x7 d3', 'dw 3x3'} <= set(prof)
    total = prof.pop('total')
    assert sum(prof.values()) == pytest.approx(total) and min(prof.values()) > -1


@pytest.mark.slow
def test_moganet_rows_run_where_mmpretrain_does_not_import(tmp_path):
    """An environment where mmpretrain fails to import (a GPU image with transformers 5
    did) still times MogaNet; asking for a row that needs mmpretrain is an error that
    names it, the import failure and the MogaNet-only command."""
    fake = tmp_path / 'broken' / 'mmpretrain'
    fake.mkdir(parents=True)
    (fake / '__init__.py').write_text("raise TypeError('NoneType takes no arguments')\n")
    env = dict(
        os.environ, PYTHONPATH=f'{fake.parent}{os.pathsep}{os.environ.get("PYTHONPATH", "")}')

    def bench(models):
        return run_benchmark('--models', models, '--variants', 'eager', *QUICK, env=env)

    ok = bench('moganet_xt')
    assert ok.returncode == 0, ok.stderr[-3000:]
    assert '| moganet_xt:eager | f32 | 2.76 |' in ok.stdout
    refused = bench('moganet_xt,convnext_t')
    assert refused.returncode == 2
    assert 'convnext_t need mmpretrain' in refused.stderr
    assert 'NoneType takes no arguments' in refused.stderr
    assert '--models moganet_xt,moganet_t,moganet_s,moganet_b' in refused.stderr


@pytest.mark.slow
def test_memory_probe_measures_the_step_not_the_parent():
    """The probe runs in a fresh process; a large parent must not leak into its peak
    (``ru_maxrss`` survives exec, which made every ratio read 1.0)."""
    parent = torch.ones(512, 1024, 1024)  # 2 GiB held by this (the parent) process
    # Batch 8, where activations dominate the peak: checkpointed / plain measured
    # 0.57-0.68 over 3 pairs on one thread (at batch 4: 0.67-0.82, too close to 0.8).
    plain = benchmark.train_step_memory('moganet_xt', False, 'cpu', 8)
    ckpt = benchmark.train_step_memory('moganet_xt', True, 'cpu', 8)
    assert 0 < plain < parent.numel() * 4 / 2**20
    assert ckpt < 0.8 * plain


@pytest.mark.slow  # autocast runs ~14x slower than float32 on CPUs without half units
def test_autocast_rows_time_and_report_their_error(tmp_path):
    """--autocast adds the fastest uncompiled row under torch.autocast, with its error
    against the same model in float32 (half precision: small but not zero)."""
    common = ['--models', 'moganet_xt', *QUICK]
    proc, rows = run_benchmark(
        *common,
        '--autocast',
        'bf16,fp16',
        '--variants',
        'deploy+cl,deploy+cl+bf16,deploy+cl+fp16',
        out=tmp_path / 'bench.json')
    assert set(rows) == {
        'moganet_xt:deploy+cl', 'moganet_xt:deploy+cl+bf16', 'moganet_xt:deploy+cl+fp16'
    }
    assert 'autocast rel err' not in rows['moganet_xt:deploy+cl']
    # bf16 keeps 8 mantissa bits, fp16 11: errors of about 2^-8 and 2^-11 of the output
    assert 1e-4 < rows['moganet_xt:deploy+cl+fp16']['autocast rel err'] < 5e-3
    assert 1e-3 < rows['moganet_xt:deploy+cl+bf16']['autocast rel err'] < 3e-2
    assert all(r['img/s bs1'] > 0 for r in rows.values())
    assert '| moganet_xt:deploy+cl+bf16 | ' in proc.stdout

    bad = run_benchmark(*common, '--autocast', 'bf16,int8')
    assert bad.returncode == 2
    assert "unknown dtype(s) ['int8']; choose from ['fp16', 'bf16']" in bad.stderr


@pytest.mark.slow
def test_whole_model_rows_and_ratios(tmp_path):
    """--whole: TopDown MogaNet-S and TopDown ResNet-50 from mmpose's own config, each
    eager, through ONNX Runtime and through OpenVINO int8, with speeds as ratios to the
    ResNet-50 row of the same path and each row's precision."""
    common = ['--whole', '--tasks', 'topdown', '--repeats', '1', '--min-time', '0']
    proc, rows = run_benchmark(
        *common,
        '--models',
        'moganet_s,resnet50',
        '--variants',
        'eager,ort,ov-int8',
        out=tmp_path / 'whole.json')
    assert set(rows) == {
        f'topdown:{m}:{v}'
        for m in ('moganet_s', 'resnet50')
        for v in ('eager', 'ort', 'ov-int8')
    }
    for r in rows.values():
        base = rows[f"topdown:resnet50:{r['row'].split(':')[2]}"]['ms']
        assert r['input'] == '192x256' and r['ms'] > 0
        assert r['vs_resnet50'] == pytest.approx(base / r['ms'])
        assert r['precision'] == ('int8 convs, f32 rest' if 'int8' in r['row'] else 'f32')
    assert rows['topdown:moganet_s:eager']['params_M'] == pytest.approx(29.0, abs=0.1)
    assert '| topdown:moganet_s:ort | 192x256 | f32 |' in proc.stdout
    assert '| topdown:resnet50:ov-int8 | 192x256 | int8 convs, f32 rest |' in proc.stdout
    # and each model through each path, one line per model
    cells = [
        f"{rows[f'topdown:moganet_s:{v}']['ms']:.0f} "
        f"({rows[f'topdown:moganet_s:{v}']['vs_resnet50']:.2f}x)"
        for v in ('eager', 'ort', 'ov-int8')
    ]
    assert '| model | eager | ort | ov-int8 |' in proc.stdout
    assert f"| moganet_s | {' | '.join(cells)} |" in proc.stdout

    bad = run_benchmark(*common, '--autocast', 'bf16')
    assert bad.returncode == 2 and 'does not apply with --whole' in bad.stderr
