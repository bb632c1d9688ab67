"""Interrupted, distributed and mixed-precision training of the toy jobs.

The tests train ``configs/det/toy/mask_rcnn_moganet_xt_1x_toy.py`` (the real
Mask R-CNN MogaNet-XT config on toy data) on a tiny toy COCO set at 128x128, and
``configs/cls/toy/moganet_xt_in1k_toy.py`` on a tiny toy ImageNet, in
subprocesses through ``tools/train.py`` (the codebases' own train tools).
"""
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from tools.data.make_toy_coco import make as make_toy_coco
from tools.data.make_toy_imagenet import make as make_toy_imagenet

from conftest import REPO

PY = sys.executable
TOY_DET = REPO / 'configs' / 'det' / 'toy' / 'mask_rcnn_moganet_xt_1x_toy.py'
TOY_CLS = REPO / 'configs' / 'cls' / 'toy' / 'moganet_xt_in1k_toy.py'
RESUMABLE = [
    "default_hooks = dict(checkpoint=dict(type='SafeCheckpointHook', interval=1,",
    "    max_keep_ckpts=1), logger=dict(interval=1))", "custom_hooks = [dict(type='RNGStateHook')]",
    "randomness = dict(seed=0, deterministic=True)"
]
EPOCHS = 3
pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def toy_coco(tmp_path_factory):
    root = tmp_path_factory.mktemp('toy_coco')
    make_toy_coco(str(root), 16, 8, 128, 0)
    return root


def write_config(path: Path, data_root: Path, epochs=EPOCHS, batch_size=4, **extra) -> Path:
    """The toy Mask R-CNN at 128x128 on ``data_root``: safe checkpoints, RNG in
    checkpoints, fixed seed."""
    lines = [
        f"_base_ = [{str(TOY_DET)!r}]",
        f"root = {str(data_root) + '/'!r}",
        "scale = (128, 128)",
        "train_pipeline = [dict(type='LoadImageFromFile'),",
        "    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),",
        "    dict(type='Resize', scale=scale, keep_ratio=True),",
        "    dict(type='RandomFlip', prob=0.5), dict(type='PackDetInputs')]",
        "test_pipeline = [dict(type='LoadImageFromFile'),",
        "    dict(type='Resize', scale=scale, keep_ratio=True),",
        "    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),",
        "    dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape',",
        "         'img_shape', 'scale_factor'))]",
        f"train_dataloader = dict(batch_size={batch_size}, dataset=dict(data_root=root,",
        "    pipeline=train_pipeline))",
        "val_dataloader = dict(batch_size=4, dataset=dict(data_root=root,",
        "    pipeline=test_pipeline))",
        "test_dataloader = val_dataloader",
        "val_evaluator = dict(ann_file=root + 'annotations/instances_val.json')",
        "test_evaluator = val_evaluator",
        f"train_cfg = dict(max_epochs={epochs}, val_interval={epochs})",
        "param_scheduler = [dict(type='LinearLR', start_factor=0.1, by_epoch=False,",
        "    begin=0, end=4)]",
    ] + RESUMABLE
    lines += [f'{k} = {v!r}' for k, v in extra.items()]
    path.write_text('\n'.join(lines) + '\n')
    return path


def write_cls_config(path: Path, data_root: Path) -> Path:
    """The toy classifier on ``data_root``, data loaded in the main process."""
    lines = [
        f"_base_ = [{str(TOY_CLS)!r}]", f"root = {str(data_root)!r}",
        "train_dataloader = dict(batch_size=16, num_workers=0, persistent_workers=False,",
        "    dataset=dict(data_root=root))",
        "val_dataloader = dict(batch_size=16, num_workers=0, persistent_workers=False,",
        "    dataset=dict(data_root=root))", "test_dataloader = val_dataloader",
        f"train_cfg = dict(max_epochs={EPOCHS}, val_interval={EPOCHS})",
        "param_scheduler = [dict(type='LinearLR', start_factor=0.1, by_epoch=False,",
        "    begin=0, end=4)]"
    ] + RESUMABLE
    path.write_text('\n'.join(lines) + '\n')
    return path


def train_cmd(cfg, work_dir, *args, codebase='mmdet'):
    return [
        PY,
        str(REPO / 'tools' / 'train.py'), codebase,
        str(cfg), '--work-dir',
        str(work_dir), *args
    ]


def run(cmd, timeout=600, **kwargs):
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout, **kwargs)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def final_state(work_dir):
    ckpt = torch.load(Path(work_dir) / f'epoch_{EPOCHS}.pth', map_location='cpu', weights_only=True)
    return ckpt['state_dict']


def final_metrics(work_dir, key='coco/bbox_mAP'):
    """The last validation metrics of a run (mmengine's scalars.json, all runs)."""
    rows = []
    for f in sorted(Path(work_dir).glob('*/vis_data/scalars.json')):
        rows += [json.loads(line) for line in f.read_text().splitlines()]
    vals = [r for r in rows if key in r]
    assert vals, f'no validation metrics under {work_dir}'
    prefix = key.split('/')[0] + '/'
    return {k: v for k, v in vals[-1].items() if k.startswith(prefix)}


def assert_same_weights(a, b):
    assert a.keys() == b.keys()
    worst = max(
        (a[k].double() - b[k].double()).abs().max().item() for k in a if a[k].is_floating_point())
    assert worst == 0.0, f'weights differ by up to {worst}'


@pytest.fixture(scope='module')
def uninterrupted(toy_coco, tmp_path_factory):
    tmp = tmp_path_factory.mktemp('uninterrupted')
    cfg = write_config(tmp / 'cfg.py', toy_coco)
    run(train_cmd(cfg, tmp / 'work'))
    # max_keep_ckpts=1: the older checkpoints were deleted once the new one was in place
    assert sorted(p.name for p in (tmp / 'work').glob('*.pth')) == [f'epoch_{EPOCHS}.pth']
    return cfg, tmp / 'work'


def kill_and_resume(cmd, work, max_wait=4.0):
    """Start ``cmd``, SIGKILL it at a random moment within ``max_wait`` seconds of
    its first checkpoint (before the last), then finish the run with ``--resume``."""
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while not (work / 'epoch_1.pth').exists():
        assert proc.poll() is None, 'training ended before its first checkpoint'
        assert time.time() < deadline
        time.sleep(0.2)
    time.sleep(random.uniform(0.2, max_wait))
    assert proc.poll() is None, 'training finished before it could be killed'
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (work / f'epoch_{EPOCHS}.pth').exists()
    run(cmd + ['--resume'])


def test_sigkill_then_resume_gives_the_same_weights_and_metrics(uninterrupted, tmp_path):
    cfg, ref_dir = uninterrupted
    work = tmp_path / 'work'
    kill_and_resume(train_cmd(cfg, work), work)
    assert_same_weights(final_state(work), final_state(ref_dir))
    assert final_metrics(work) == final_metrics(ref_dir)


@pytest.fixture(scope='module')
def uninterrupted_cls(tmp_path_factory):
    """The toy classifier's uninterrupted run: 3 epochs of 6 iterations."""
    tmp = tmp_path_factory.mktemp('uninterrupted_cls')
    make_toy_imagenet(str(tmp / 'toy_imagenet'), train=96, val=24, size=64, seed=0)
    cfg = write_cls_config(tmp / 'cfg.py', tmp / 'toy_imagenet')
    run(train_cmd(cfg, tmp / 'work', codebase='mmpretrain'))
    return cfg, tmp / 'work'


def test_sigkill_then_resume_classification(uninterrupted_cls, tmp_path):
    cfg, ref = uninterrupted_cls
    work = tmp_path / 'work'
    # 6 iterations (~4 s) per epoch: the kill lands in epoch 2 or 3
    kill_and_resume(train_cmd(cfg, work, codebase='mmpretrain'), work, max_wait=2.5)
    assert_same_weights(final_state(work), final_state(ref))
    assert final_metrics(work, 'accuracy/top1') == final_metrics(ref, 'accuracy/top1')


KILL_DURING_SAVE = '''
import os, runpy, signal, sys
from mmengine.fileio.backends import LocalBackend
put = LocalBackend.put
def dying_put(self, obj, filepath):
    if os.path.basename(str(filepath)).startswith({target!r}):
        with open(filepath, 'wb') as f:  # half the bytes, then the process dies
            f.write(obj[:len(obj) // 2])
            f.flush()
        os.kill(os.getpid(), signal.SIGKILL)
    return put(self, obj, filepath)
LocalBackend.put = dying_put
sys.argv = {argv!r}
runpy.run_path(sys.argv[0], run_name='__main__')
'''


def test_kill_while_saving_leaves_the_previous_checkpoint(uninterrupted_cls, tmp_path):
    """SafeCheckpointHook is the same for every codebase: the toy classifier (a few
    seconds an epoch) is killed half-way through writing its second checkpoint."""
    cfg, ref_dir = uninterrupted_cls
    work = tmp_path / 'work'
    argv = train_cmd(cfg, work, codebase='mmpretrain')[1:]
    script = KILL_DURING_SAVE.format(target='.epoch_2.pth', argv=argv)
    proc = subprocess.run([PY, '-c', script], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-3000:]
    last = (work / 'last_checkpoint').read_text().strip()
    assert Path(last).name == 'epoch_1.pth'
    ckpt = torch.load(last, map_location='cpu', weights_only=True)
    assert ckpt['meta']['epoch'] == 1
    assert not (work / 'epoch_2.pth').exists()  # only a hidden partial file
    run(train_cmd(cfg, work, '--resume', codebase='mmpretrain'))
    assert_same_weights(final_state(work), final_state(ref_dir))
    assert sorted(p.name for p in work.glob('*.pth')) == [f'epoch_{EPOCHS}.pth']


SYNC_HOOK = '''
import json, os
import torch
import torch.distributed as dist
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class WeightSyncCheckHook(Hook):
    """After every step, gather a float64 checksum of all weights from every rank."""

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        model = runner.model.module if hasattr(runner.model, 'module') else runner.model
        sums = torch.stack([p.detach().double().sum() for p in model.parameters()])
        gathered = [torch.zeros_like(sums) for _ in range(dist.get_world_size())]
        dist.all_gather(gathered, sums)
        if dist.get_rank() == 0:
            with open(os.environ['SYNC_LOG'], 'a') as f:
                f.write(json.dumps([g.tolist() for g in gathered]) + '\\n')
'''


def test_two_process_ddp_on_cpu(toy_coco, tmp_path):
    (tmp_path / 'sync_check_hook.py').write_text(SYNC_HOOK)
    cfg = write_config(
        tmp_path / 'cfg.py',
        toy_coco,
        custom_imports=dict(imports=['moganet_mm', 'sync_check_hook'], allow_failed_imports=False),
        custom_hooks=[dict(type='WeightSyncCheckHook')],
        epochs=1,
        batch_size=2)
    log = tmp_path / 'sync.jsonl'
    env = dict(os.environ, PYTHONPATH=f'{tmp_path}:{REPO}', SYNC_LOG=str(log), OMP_NUM_THREADS='1')
    proc = run([
        PY, '-m', 'torch.distributed.run', '--nproc_per_node', '2', '--master_port',
        str(random.randint(20000, 40000)),
        *train_cmd(cfg, tmp_path / 'work', '--launcher', 'pytorch')[1:]
    ],
               env=env)
    steps = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(steps) == 4  # 16 images / (2 ranks x 2 per rank)
    for rank0, rank1 in steps:
        assert rank0 == rank1
    assert steps[0][0] != steps[-1][0]  # the weights did change
    metrics = final_metrics(tmp_path / 'work')
    assert {'coco/bbox_mAP', 'coco/bbox_mAP_50'} <= set(metrics), metrics
    # evaluated once, results gathered on rank 0
    assert proc.stdout.count('Epoch(val) [1]') + proc.stderr.count('Epoch(val) [1]') >= 1


def test_bf16_mixed_precision_on_cpu(toy_coco, tmp_path):
    cfg = write_config(
        tmp_path / 'cfg.py',
        toy_coco,
        optim_wrapper=dict(
            type='CPUAmpOptimWrapper', dtype='bfloat16', autocast_modules=('backbone', 'neck')),
        model=dict(backbone=dict(attn_force_fp32=True)),
        epochs=1)
    run(train_cmd(cfg, tmp_path / 'work'))
    rows = []
    for f in (tmp_path / 'work').glob('*/vis_data/scalars.json'):
        rows += [json.loads(line) for line in f.read_text().splitlines()]
    losses = [r['loss'] for r in rows if 'loss' in r]
    assert losses and all(map(lambda v: v == v and abs(v) < 1e4, losses))  # no NaN / inf
    state = torch.load(
        tmp_path / 'work' / 'epoch_1.pth', map_location='cpu', weights_only=True)['state_dict']
    assert all(torch.isfinite(v).all() for v in state.values() if v.is_floating_point())
