"""tools/data/toy_stamp.py: demos remake a toy set made by another generator or with
other settings, and never touch a folder they did not make."""
import json

from tools.data import toy_stamp

from conftest import REPO

GENERATOR = REPO / 'tools/data/make_toy_ade20k.py'


def maker(root, calls):

    def make():
        calls.append(1)
        root.mkdir(parents=True, exist_ok=True)
        (root / 'new.txt').write_text('made')

    return make


def test_makes_once_then_reuses(tmp_path):
    root, calls = tmp_path / 'set', []
    spec = toy_stamp.spec_of(GENERATOR, train=3, seed=0)
    toy_stamp.ensure(root, spec, maker(root, calls), log=lambda m: None)
    toy_stamp.ensure(root, spec, maker(root, calls), log=lambda m: None)
    assert calls == [1]
    assert json.loads((root / toy_stamp.STAMP).read_text()) == spec


def test_stale_set_is_remade_without_its_old_files(tmp_path):
    root, calls, logs = tmp_path / 'set', [], []
    old = toy_stamp.spec_of(GENERATOR, train=3, seed=0)
    toy_stamp.ensure(root, old, maker(root, calls), log=logs.append)
    (root / 'old_extra.png').write_text('from the old set')
    new = dict(old, sha256='0' * 16)  # as if the generator's source changed
    toy_stamp.ensure(root, new, maker(root, calls), log=logs.append)
    assert calls == [1, 1]
    assert not (root / 'old_extra.png').exists() and (root / 'new.txt').is_file()
    assert json.loads((root / toy_stamp.STAMP).read_text()) == new
    assert any('stale (sha256 changed)' in m for m in logs), logs


def test_folder_without_stamp_is_used_as_it_is(tmp_path):
    root, calls, logs = tmp_path / 'mine', [], []
    root.mkdir()
    (root / 'my_image.png').write_text('user data')
    spec = toy_stamp.spec_of(GENERATOR, train=3, seed=0)
    toy_stamp.ensure(root, spec, maker(root, calls), log=logs.append)
    assert calls == [] and (root / 'my_image.png').read_text() == 'user data'
    assert not (root / toy_stamp.STAMP).exists()
    assert any('no demo made it' in m for m in logs), logs


def test_hash_follows_the_generator_source(tmp_path):
    a, b = tmp_path / 'a.py', tmp_path / 'b.py'
    a.write_text('x = 1\n')
    b.write_text('x = 2\n')
    assert toy_stamp.spec_of(a)['sha256'] != toy_stamp.spec_of(b)['sha256']
    assert toy_stamp.spec_of(a, n=1) == toy_stamp.spec_of(a, n=1)


def test_set_under_the_old_det_stamp_is_checked_too(tmp_path):
    """data/toy_coco sets made before the det demo used this module carry
    ``toy_coco.json``: a stale one is remade, not taken for a user's folder."""
    root, calls, logs = tmp_path / 'toy_coco', [], []
    root.mkdir()
    spec = toy_stamp.spec_of(REPO / 'tools/data/make_toy_coco.py', train=3, seed=0)
    (root / 'toy_coco.json').write_text(json.dumps(dict(spec, sha256='0' * 16)))
    (root / 'old.png').write_text('from the old generator')
    toy_stamp.ensure(root, spec, maker(root, calls), log=logs.append)
    assert calls == [1] and not (root / 'old.png').exists()
    assert json.loads((root / toy_stamp.STAMP).read_text()) == spec
