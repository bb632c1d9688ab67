"""tools/analysis/benchmark.py's ONNX rows: the backbone exported (eager and
deploy mode; int8) and run by ONNX Runtime or OpenVINO beside the torch rows, with
their precision and their ratio to the fastest path."""
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
