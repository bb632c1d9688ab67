"""moganet_mm.deploy.evaluate's refusals (the exported models' metrics are tested on
the demos' trained models: tests/test_tools/test_*_demo.py)."""
import pytest

from moganet_mm.deploy.evaluate import evaluate, main

from conftest import REPO

CLS_XT = str(REPO / 'configs/cls/moganet_xt_in1k.py')


def test_bad_runtime_and_calibration_count_are_refused_before_anything_is_built():
    with pytest.raises(
            ValueError, match=r"runtimes must be some of \['ort', 'openvino'\], "
            r"got \['tensorrt'\]"):
        evaluate(CLS_XT, 'none.pth', runtimes=('tensorrt', ))
    with pytest.raises(ValueError, match='calib_count must be >= 1, got 0'):
        evaluate(CLS_XT, 'none.pth', calib_count=0)


def test_cli_names_a_missing_file(tmp_path):
    with pytest.raises(SystemExit) as exc:
        main([CLS_XT, str(tmp_path / 'missing.pth')])
    assert 'missing.pth' in str(exc.value.code) and 'does not exist' in str(exc.value.code)


def test_bf16_is_refused_without_openvino_or_where_the_cpu_has_no_bf16(monkeypatch, capsys):
    """--bf16 runs the f32 graph in OpenVINO at bf16: refused, before anything is built,
    without openvino among the runtimes or on a CPU whose OpenVINO lists no BF16 (the
    message names what it lists); tools/deploy/int8_fidelity.py refuses it the same way."""
    from moganet_mm.deploy import openvino
    from tools.deploy import int8_fidelity

    with pytest.raises(
            ValueError, match=r"bf16 runs in OpenVINO: add openvino to the "
            r"runtimes \['ort'\]"):
        evaluate(CLS_XT, 'none.pth', runtimes=('ort', ), bf16=True)
    monkeypatch.setattr(openvino, 'capabilities', lambda: ['FP32', 'INT8'])
    with pytest.raises(
            ValueError,
            match=r"cannot run OpenVINO at bf16: its capabilities are "
            r"\['FP32', 'INT8'\]"):
        evaluate(CLS_XT, 'none.pth', bf16=True)
    with pytest.raises(SystemExit):
        int8_fidelity.main(['--demos', 'cls', '--bf16'])
    assert "cannot run OpenVINO at --bf16: its capabilities are ['FP32', 'INT8']" \
        in capsys.readouterr().err
