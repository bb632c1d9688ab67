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
