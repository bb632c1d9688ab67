"""moganet_mm/compat.py: where transformers >= 5 is installed (the GPU machine's image),
``import moganet_mm`` turns mmpretrain 1.2's multimodal switch off before its models
are imported, so that ``mmpretrain.models`` (and mmdet's models, which import it)
import. The failure itself needs a real transformers 5 (`make gpu-rehearsal`'s venv
has one, and its env step imports mmpretrain's and mmdet's models there); here the
version is faked and the switch and its effect are checked."""
import subprocess
import sys

import pytest

from moganet_mm.compat import mmpretrain_without_broken_multimodal
from tools.paths import REPO

FAKE_TRANSFORMERS_5 = '''
import importlib.metadata as md
real = md.version
md.version = lambda name: '5.17.0' if name == 'transformers' else real(name)
'''


def run(code):
    out = subprocess.run([sys.executable, '-c', code],
                         cwd=REPO,
                         capture_output=True,
                         text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def test_nothing_to_do_without_transformers_5():
    assert not mmpretrain_without_broken_multimodal()  # .venv has no transformers 5


@pytest.mark.slow
def test_switch_is_off_before_mmpretrain_models_import():
    out = run(FAKE_TRANSFORMERS_5 + '''
import moganet_mm
from mmpretrain.utils import dependency
assert dependency.WITH_MULTIMODAL is False
import mmpretrain.models
from mmpretrain.registry import MODELS
MODELS.build(dict(type='ResNet', depth=18))
print('placeholder:', MODELS.get('BlipCaption').__name__)
from moganet_mm.compat import mmpretrain_without_broken_multimodal
print('again:', mmpretrain_without_broken_multimodal())
''')
    # the multimodal models are mmpretrain's placeholders, and once mmpretrain.models
    # is imported there is nothing left to switch
    assert 'placeholder: ask_install' in out and 'again: False' in out, out
