"""Loading original-format and moganet_mm checkpoints, safely, with a key report."""
import subprocess
import sys

import numpy as np
import pytest
import torch

from moganet_mm import MogaNet
from moganet_mm.checkpoint import infer_arch, load_checkpoint_file

from conftest import REPO, rel_err

CONVERTER = REPO / 'tools' / 'model_converters' / 'moganet_to_mm.py'


@pytest.fixture
def original_file(reference, tmp_path):
    """The fixture's weights as a released ImageNet file: classifier included."""
    path = tmp_path / 'moganet_xtiny_sz224_8xbs128_ep300.pth.tar'
    torch.save(
        dict(state_dict=reference['state_dict'], arch='moganet_xtiny', author='MogaNet'), path)
    return path


def pretrained(path, **kwargs):
    model = MogaNet(arch='xtiny', init_cfg=dict(type='Pretrained', checkpoint=str(path)), **kwargs)
    model.init_weights()
    return model.eval()


def assert_matches_reference(model, reference):
    with torch.no_grad():
        feats = model(reference['input'])
    for ours, theirs in zip(feats, reference['feats']):
        assert rel_err(ours, theirs) <= 1e-4


@pytest.mark.parametrize('wrap', ['state_dict', 'model', 'raw'])
def test_init_cfg_loads_original_format(reference, tmp_path, wrap):
    state = reference['state_dict']
    path = tmp_path / 'ckpt.pth'
    torch.save(state if wrap == 'raw' else {wrap: state}, path)
    assert_matches_reference(pretrained(path), reference)


@pytest.mark.slow
def test_converter_then_init_cfg(reference, original_file, tmp_path):
    out = tmp_path / 'converted.pth'
    res = subprocess.run(
        [sys.executable, str(CONVERTER),
         str(original_file), str(out)],
        capture_output=True,
        text=True)
    assert res.returncode == 0, res.stderr
    assert "arch 'xtiny'" in res.stdout
    converted = torch.load(out, weights_only=True)
    assert not any(k.startswith('head.') for k in converted['state_dict'])
    assert set(converted['state_dict']) == set(MogaNet(arch='xtiny').state_dict())
    assert_matches_reference(pretrained(out), reference)
    # never overwrites what the user has
    before = out.read_bytes()
    res = subprocess.run(
        [sys.executable, str(CONVERTER),
         str(original_file), str(out)],
        capture_output=True,
        text=True)
    assert res.returncode != 0 and 'exists' in res.stderr
    assert out.read_bytes() == before


@pytest.mark.slow
def test_converter_refusals(original_file, tmp_path):
    """Bad input to the converter: one line naming the problem, no traceback, no file."""

    def run(*args):
        return subprocess.run([sys.executable, str(CONVERTER), *map(str, args)],
                              capture_output=True,
                              text=True)

    out = tmp_path / 'out.pth'
    cases = [((tmp_path / 'nowhere.pth', out), 'does not exist'),
             ((original_file, out, '--ema'), 'no state_dict_ema'),
             ((original_file, original_file), 'same file')]
    not_moganet = tmp_path / 'resnet.pth'
    torch.save({'state_dict': {'conv1.weight': torch.zeros(64, 3, 7, 7)}}, not_moganet)
    cases.append(((not_moganet, out), 'Not a MogaNet checkpoint'))
    for args, message in cases:
        res = run(*args)
        assert res.returncode != 0 and message in res.stderr, (args, res.stderr)
        assert 'Traceback' not in res.stderr
        assert not out.exists()


def test_task_model_checkpoint_with_backbone_prefix(reference, tmp_path):
    state = {
        f'backbone.{k}': v
        for k, v in reference['state_dict'].items() if not k.startswith('head.')
    }
    state['neck.lateral_convs.0.conv.weight'] = torch.zeros(1)
    path = tmp_path / 'det.pth'
    torch.save(dict(meta=dict(epoch=1), state_dict=state), path)
    assert_matches_reference(pretrained(path), reference)


def test_key_report(reference, tmp_path):
    """MMEngine's PretrainedInit reports what did not load: a missing and an unknown key."""
    import logging

    from mmengine.logging import MMLogger
    records = []

    class Keep(logging.Handler):

        def emit(self, record):
            records.append(record.getMessage())

    logger = MMLogger.get_current_instance()
    keep = Keep()
    logger.addHandler(keep)
    try:
        state = {k: v for k, v in reference['state_dict'].items() if k != 'norm4.weight'}
        state['extra.weight'] = torch.zeros(3)
        path = tmp_path / 'partial.pth'
        torch.save(dict(state_dict=state), path)
        pretrained(path)
    finally:
        logger.removeHandler(keep)
    report = '\n'.join(records)
    assert 'missing keys in source state_dict: norm4.weight' in report, report
    assert 'unexpected key in source state_dict: extra.weight' in report, report
    assert "dropped the classifier keys ['head.weight', 'head.bias']" in report, report


def test_missing_checkpoint_path(tmp_path):
    with pytest.raises(FileNotFoundError, match='nothere.pth'):
        pretrained(tmp_path / 'nothere.pth')


def test_checkpoint_of_another_arch(tmp_path):
    path = tmp_path / 'tiny.pth'
    torch.save(dict(state_dict=MogaNet(arch='tiny').state_dict()), path)
    with pytest.raises(
            ValueError,
            match=r"other shapes \(.*checkpoint holds "
            r"arch 'tiny'; the model is arch 'xtiny'"):
        pretrained(path)


def test_checkpoint_with_no_backbone_keys(tmp_path):
    path = tmp_path / 'other.pth'
    torch.save(dict(state_dict={'conv.weight': torch.zeros(1)}), path)
    with pytest.raises(
            ValueError, match=r"other.pth': The checkpoint has no weights for this "
            r"MogaNet"):
        pretrained(path)


def test_infer_arch(reference):
    assert infer_arch(reference['state_dict']) == MogaNet.parse_arch('xtiny')


def test_mmengine_checkpoint_loads_with_weights_only(tmp_path):
    """mmengine's checkpoints (HistoryBuffer, numpy in message_hub) load as data
    once moganet_mm is imported: the `mim test` / `--resume` trap of torch >= 2.6."""
    from mmengine.logging import MessageHub
    hub = MessageHub.get_instance('test_ckpt')
    hub.update_scalar('train/loss', np.float64(0.5))
    hub.update_scalar('train/lr', 1e-3)
    hub.update_info('iter', 10)
    path = tmp_path / 'epoch_1.pth'
    torch.save(
        dict(
            meta=dict(
                epoch=1,
                seed=np.int64(0),
                dataset_meta=dict(classes=('a', )),
                hist=np.zeros(3, dtype=np.float32)),
            message_hub=hub.state_dict(),
            state_dict={'w': torch.ones(1)}), path)
    ckpt = torch.load(path, weights_only=True)  # the default of mmengine's loader
    assert ckpt['message_hub']['log_scalars']['train/loss'].current() == 0.5
    assert load_checkpoint_file(str(path))['meta']['epoch'] == 1


def test_code_in_checkpoint_is_refused(tmp_path):
    marker = tmp_path / 'pwned'

    class Evil:

        def __reduce__(self):
            return (open, (str(marker), 'w'))

    path = tmp_path / 'evil.pth'
    torch.save(dict(state_dict={'x': torch.zeros(1)}, payload=Evil()), path)
    with pytest.raises(RuntimeError, match='add_safe_globals'):
        load_checkpoint_file(str(path))
    assert not marker.exists()
