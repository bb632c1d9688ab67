"""tools/analysis/benchmark.py's ONNX rows: the backbone exported (eager and
deploy mode; int8) and run by ONNX Runtime or OpenVINO beside the torch rows, with
their precision and their ratio to the fastest path."""
import json

import pytest

from benchmark_helpers import QUICK, run_benchmark


@pytest.mark.slow
def test_benchmark_times_onnx_runtime_rows(tmp_path):
    proc, rows = run_benchmark(
        '--models',
        'moganet_xt',
        '--variants',
        'eager,ort,deploy+ort',
        *QUICK,
        out=tmp_path / 'bench.json')
    assert set(rows) == {'moganet_xt:eager', 'moganet_xt:ort', 'moganet_xt:deploy+ort'}
    assert all(r['img/s bs1'] > 0 for r in rows.values())
    assert '| moganet_xt:deploy+ort | ' in proc.stdout


@pytest.mark.slow
def test_benchmark_times_openvino_and_int8_rows_with_their_precision(tmp_path):
    proc, rows = run_benchmark(
        '--models',
        'moganet_xt',
        '--variants',
        'deploy+ov,deploy+ort-int8,deploy+ov-int8',
        *QUICK,
        out=tmp_path / 'bench.json')
    assert {
        r: v['precision']
        for r, v in rows.items()
    } == {
        'moganet_xt:deploy+ov': 'f32',
        'moganet_xt:deploy+ort-int8': 'int8 convs, f32 rest',
        'moganet_xt:deploy+ov-int8': 'int8 convs, f32 rest'
    }
    assert all(r['img/s bs1'] > 0 for r in rows.values())
    assert '| moganet_xt:deploy+ov-int8 | int8 convs, f32 rest | ' in proc.stdout
    # each exported row's error against torch: f32 to float rounding; int8 of fresh
    # weights calibrated on noise, 0.04-0.08 measured on MogaNet-T
    assert rows['moganet_xt:deploy+ov']['rel err vs torch'] <= 1e-4
    assert all(1e-4 < rows[r]['rel err vs torch'] < 0.3
               for r in ('moganet_xt:deploy+ort-int8', 'moganet_xt:deploy+ov-int8'))


@pytest.mark.slow
def test_peers_run_the_same_paths_and_compare_path_by_path(tmp_path):
    """ResNet-50 runs the paths MogaNet runs (its export through ONNX Runtime f32 and
    OpenVINO int8), and the last table puts each model through each path as a ratio
    to ResNet-50 through the same path."""
    proc, rows = run_benchmark(
        '--models',
        'moganet_xt,resnet50',
        '--variants',
        'eager,deploy+ort,ort,deploy+ov-int8,ov-int8',
        *QUICK,
        out=tmp_path / 'bench.json')
    assert set(rows) == {
        'moganet_xt:eager', 'moganet_xt:ort', 'moganet_xt:deploy+ort', 'moganet_xt:deploy+ov-int8',
        'resnet50:eager', 'resnet50:ort', 'resnet50:ov-int8'
    }
    assert rows['resnet50:ort']['rel err vs torch'] <= 1e-4
    assert rows['resnet50:ov-int8']['precision'] == 'int8 convs, f32 rest'
    for path, moga, peer in [('ONNX Runtime f32', 'moganet_xt:deploy+ort', 'resnet50:ort'),
                             ('OpenVINO int8', 'moganet_xt:deploy+ov-int8', 'resnet50:ov-int8')]:
        ratio = rows[moga]['img/s bs1'] / rows[peer]['img/s bs1']
        assert f'| {path} | {moga} | {ratio:.2f}x |' in proc.stdout
        assert f'| {path} | {peer} | 1.00x |' in proc.stdout
    # the fastest reduced-precision row of each model, against its ONNX Runtime f32 row
    best = json.loads((tmp_path / 'bench.json').read_text())['best_reduced_precision']
    assert {
        m: b['row']
        for m, b in best.items()
    } == {
        'moganet_xt': 'moganet_xt:deploy+ov-int8',
        'resnet50': 'resnet50:ov-int8'
    }
    ratio = rows['moganet_xt:deploy+ov-int8']['img/s bs1'] / rows['moganet_xt:deploy+ort'][
        'img/s bs1']
    assert best['moganet_xt']['speed_vs_ort_f32'] == pytest.approx(ratio)
    assert f'| moganet_xt | moganet_xt:deploy+ov-int8 | int8 convs, f32 rest | {ratio:.2f}x |' \
        in proc.stdout


def test_bf16_rows_only_where_the_cpu_runs_bf16(monkeypatch, capsys):
    """The OpenVINO bf16 rows: left out of the default rows, with a note, where this
    CPU's OpenVINO has no BF16; asked for there, an error naming the capabilities."""
    import argparse

    from tools.analysis import benchmark

    def no_bf16(precision):
        raise RuntimeError("this CPU (test) cannot run OpenVINO at bf16: its capabilities are "
                           "['FP32', 'INT8']")

    rows = ['moganet_t:deploy+ort', 'moganet_t:deploy+ov-bf16', 'resnet50:ov-bf16']
    parser = argparse.ArgumentParser()
    monkeypatch.setattr(benchmark.openvino, 'check_precision', no_bf16)
    assert benchmark.bf16_rows_this_cpu_runs(rows, argparse.Namespace(variants=None),
                                             parser) == ['moganet_t:deploy+ort']
    assert "note: no OpenVINO bf16 rows: this CPU (test)" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        benchmark.bf16_rows_this_cpu_runs(rows[1:],
                                          argparse.Namespace(variants='deploy+ov-bf16,ov-bf16'),
                                          parser)
    assert "capabilities are ['FP32', 'INT8']" in capsys.readouterr().err
    monkeypatch.setattr(benchmark.openvino, 'check_precision', lambda precision: None)
    assert benchmark.bf16_rows_this_cpu_runs(rows, argparse.Namespace(variants=None),
                                             parser) == rows
    assert benchmark.precision('deploy+ov-bf16') == benchmark.precision('ov-bf16') == 'bf16'


def test_best_reduced_precision_picks_the_fastest_int8_or_bf16_row(capsys):
    from tools.analysis.benchmark import best_reduced_precision
    results = {
        'moganet_t:deploy+ort':
        dict(precision='f32', **{'img/s bs1': 40.0}),
        'moganet_t:deploy+ov':
        dict(precision='f32', **{'img/s bs1': 60.0}),
        'moganet_t:deploy+ort-int8':
        dict(precision='int8 convs, f32 rest', **{'img/s bs1': 30.0}),
        'moganet_t:deploy+ov-int8':
        dict(precision='int8 convs, f32 rest', **{
            'img/s bs1': 50.0,
            'rel err vs torch': 0.05
        }),
        'moganet_t:deploy+ov-bf16':
        dict(precision='bf16', **{
            'img/s bs1': 70.0,
            'rel err vs torch': 0.005
        }),
        'resnet50:eager':
        dict(precision='f32', **{'img/s bs1': 20.0}),
    }
    best = best_reduced_precision(results, list(results), {'img/s bs1': None})
    assert best == {
        'moganet_t':
        dict(
            row='moganet_t:deploy+ov-bf16',
            precision='bf16',
            speed_vs_ort_f32=1.75,
            rel_err_vs_torch=0.005)
    }  # resnet50 has no ONNX Runtime f32 row to compare with
    assert '| moganet_t | moganet_t:deploy+ov-bf16 | bf16 | 1.75x | 0.005 |' in capsys.readouterr(
    ).out
    del results['moganet_t:deploy+ov-bf16']
    best = best_reduced_precision(results, list(results), {'img/s bs1': None})
    assert best['moganet_t']['row'] == 'moganet_t:deploy+ov-int8'
    assert best['moganet_t']['speed_vs_ort_f32'] == 1.25
