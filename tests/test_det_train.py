"""Real (shortened) training and evaluation on the toy COCO set, on the CPU.

- the ``make demo`` job (tools/demo/det.py) with fewer images and a lower floor
  that an untrained model cannot reach;
- RetinaNet and Cascade Mask R-CNN toy configs: a few iterations with a finite,
  falling loss, then CocoMetric on val images.
"""
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from mmengine.config import Config

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / 'tools' / 'data'))
from make_toy_coco import make_dataset  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def tiny_coco(tmp_path_factory):
    root = tmp_path_factory.mktemp('tiny_coco')
    make_dataset(str(root), num_train=8, num_val=6, size=256, seed=1)
    return root


def test_demo_job_learns_and_enforces_its_floor(tmp_path):
    """The ``make demo`` job, shortened: Mask R-CNN MogaNet-XT from random init on 40
    toy images for 3 epochs (30 iterations, 5-iteration warm-up).

    Learning: the training loss must fall by 40%+ and CocoMetric must report bbox
    and segm mAP. The floor is set unreachable (1.01) so the job must also print the
    miss and exit 1 -- the check ``make demo`` relies on.
    """
    work = tmp_path / 'work'
    cmd = [sys.executable, str(REPO / 'tools/demo/det.py'), '--work-dir', str(work),
           '--data-root', str(tmp_path / 'data'), '--train-images', '40',
           '--val-images', '8', '--epochs', '3', '--warmup-iters', '5',
           '--floor-bbox', '1.01', '--floor-segm', '0', '--num-vis', '2']
    out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 1, out.stdout[-3000:] + out.stderr[-3000:]
    missed = [line for line in out.stderr.splitlines() if line.startswith('FLOOR MISSED')]
    assert len(missed) == 1 and 'bbox mAP' in missed[0] and 'segm' not in missed[0], missed
    summary = json.loads((work / 'demo_metrics.json').read_text())
    assert summary['iters'] == 30
    assert summary['loss_last'] < 0.6 * summary['loss_first'], summary
    assert 0 <= summary['bbox_mAP'] <= 1 and 0 <= summary['segm_mAP'] <= 1
    assert Path(summary['picture']).is_file()
    assert f"predictions on val images: {summary['picture']}" in out.stdout


def test_demo_job_ddp_on_cpu(tmp_path):
    """``torchrun --nproc-per-node 2 tools/demo/det.py --launcher pytorch`` on a machine
    without a GPU: rank 0 makes (and stamps) the set once, the other rank waits for it
    at a barrier, both train one iteration and rank 0 reports the metrics."""
    import os
    import random
    data, work = tmp_path / 'data', tmp_path / 'work'
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2',
           '--master_port', str(random.randint(20000, 40000)),
           str(REPO / 'tools/demo/det.py'), '--launcher', 'pytorch', '--work-dir', str(work),
           '--data-root', str(data), '--train-images', '8', '--val-images', '4',
           '--epochs', '1', '--floor-bbox', '0', '--floor-segm', '0', '--num-vis', '1']
    out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True,
                         env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert out.stdout.count('making the toy set') == 1, out.stdout[-3000:]
    assert (data / 'toy_dataset.json').is_file()
    summary = json.loads((work / 'demo_metrics.json').read_text())
    assert summary['iters'] == 1  # 8 images / (2 ranks x 4 per rank)


def run_few_iters(config, data_root, work_dir, epochs):
    """Train ``epochs`` over the 8-image set (batch 2, no shuffling), then evaluate on
    6 val images; returns (per-iteration losses, CocoMetric results)."""
    from mmengine.hooks import Hook
    from mmengine.runner import Runner
    from mmdet.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(REPO / 'configs/det/toy' / config)
    root = str(data_root) + '/'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = root
        cfg[loader].batch_size = 2
    cfg.train_dataloader.sampler.shuffle = False
    cfg.val_evaluator.ann_file = root + 'annotations/instances_val.json'
    cfg.train_cfg.update(max_epochs=epochs, val_interval=epochs)
    # the toy schedule (AdamW 2e-3) with a 4-iteration warm-up and no decay
    cfg.param_scheduler = [dict(type='LinearLR', start_factor=0.1, by_epoch=False,
                                begin=0, end=4)]
    cfg.work_dir = str(work_dir)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=-1, save_last=False)
    cfg.randomness = dict(seed=0)
    losses, results = [], {}

    class Recorder(Hook):
        def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
            losses.append(float(outputs['loss']))

        def after_val_epoch(self, runner, metrics=None):
            results.update(metrics or {})

    runner = Runner.from_cfg(cfg)
    runner.register_hook(Recorder())
    runner.train()  # evaluates once, after the last epoch
    return losses, results


@pytest.mark.parametrize('config,epochs', [('retinanet_moganet_xt_1x_toy.py', 4),
                                           ('cascade_mask_rcnn_moganet_s_3x_toy.py', 3)])
def test_few_iterations_loss_falls_and_metric_computed(config, epochs, tiny_coco, tmp_path):
    losses, metrics = run_few_iters(config, tiny_coco, tmp_path, epochs)
    assert len(losses) == 4 * epochs
    assert all(math.isfinite(v) for v in losses), losses
    first, last = sum(losses[:3]) / 3, sum(losses[-3:]) / 3
    assert last < first, losses
    assert 0 <= metrics['coco/bbox_mAP'] <= 1
    if 'cascade' in config:
        assert 0 <= metrics['coco/segm_mAP'] <= 1
