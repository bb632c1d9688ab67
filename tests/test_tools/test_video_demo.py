"""OpenSTL's recipe under the MMEngine Runner, and a shortened make demo-video."""
import json
import subprocess
import sys

import pytest
import torch

import moganet_mm  # noqa: F401  (registers OneCycleMomentum)

from conftest import REPO
from demo_run import export_fidelity


def test_one_cycle_lr_and_momentum_step_as_torch_one_cycle():
    """MMEngine's OneCycleLR + OneCycleMomentum == torch's OneCycleLR (cycle_momentum),
    what OpenSTL trains with, for Adam's lr and beta1 at every step."""
    from mmengine.optim.scheduler import OneCycleLR

    from moganet_mm.engine import OneCycleMomentum
    total, lr = 50, 3e-3
    ours = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=lr, betas=(0.9, 0.999))
    ref = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=lr, betas=(0.9, 0.999))
    schedulers = [
        OneCycleLR(ours, eta_max=lr, begin=0, end=total, by_epoch=False, final_div_factor=1e4),
        OneCycleMomentum(ours, begin=0, end=total, by_epoch=False)
    ]
    torch_sched = torch.optim.lr_scheduler.OneCycleLR(
        ref, max_lr=lr, total_steps=total, final_div_factor=1e4)
    for step in range(total):
        group, ref_group = ours.param_groups[0], ref.param_groups[0]
        assert group['lr'] == pytest.approx(ref_group['lr'], rel=1e-9), step
        assert group['betas'][0] == pytest.approx(ref_group['betas'][0], rel=1e-9), step
        ours.step()
        ref.step()
        for s in schedulers:
            s.step()
        if step < total - 1:  # torch refuses a step past total_steps
            torch_sched.step()
    assert min_beta1(total) == pytest.approx(0.85, abs=1e-3)


def min_beta1(total):
    from moganet_mm.engine import OneCycleMomentum
    opt = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))])
    sched = OneCycleMomentum(opt, begin=0, end=total, by_epoch=False)
    values = []
    for _ in range(total):
        values.append(opt.param_groups[0]['betas'][0])
        opt.step()
        sched.step()
    return min(values)


def test_full_configs_build_with_openstl_recipe():
    from mmengine.config import Config
    from mmengine.registry import MODELS
    for name, channels, lr in (('simvp_moganet_mmnist', 1, 1e-3), ('simvp_moganet_mmnist_cifar', 3,
                                                                   5e-3)):
        cfg = Config.fromfile(REPO / 'configs' / 'video' / f'{name}.py')
        model = MODELS.build(cfg.model)
        assert model.in_shape == (10, channels, 64, 64)
        assert (model.hid_S, model.hid_T, model.N_S, model.N_T) == (64, 512, 4, 8)
        assert cfg.optim_wrapper.optimizer.type == 'Adam' and cfg.optim_wrapper.optimizer.lr == lr
        assert [s['type'] for s in cfg.param_scheduler] == ['OneCycleLR', 'OneCycleMomentum']
        assert cfg.param_scheduler[0]['eta_max'] == lr
        assert cfg.train_dataloader.batch_size == 16 and cfg.train_cfg.max_epochs == 200
        # the translator: 640 -> 512 x 6 -> 640, with OpenSTL's drop-path rates
        widths = [layer.block.attn.proj_1.in_channels for layer in model.hid.enc]
        assert widths == [640] + [512] * 7


@pytest.mark.slow
def test_short_demo_beats_trivial_predictors_where_untrained_model_does_not(tmp_path):
    """make demo-video, shortened: 60 iterations on a small set. The untrained model
    is worse than the best trivial predictor (mse_gain < 0: measured -2.2 on a
    10-clip set); the trained one must beat it (mse_gain >= 0)."""
    work = tmp_path / 'work'
    cmd = [
        sys.executable, 'tools/demo/video.py', '--data-root',
        str(tmp_path / 'data'), '--train', '960', '--val', '24', '--iters', '60', '--work-dir',
        str(work), '--floor', 'video/mse_gain=0.0', '--eval-untrained'
    ]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=900)
    summary = json.loads((work / 'demo_summary.json').read_text())
    assert summary['untrained_metrics']['video/mse_gain'] < 0.0
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert summary['passed'] and summary['metrics']['video/mse_gain'] >= 0.0
    assert summary['iters'] == 60
    assert (work / 'video_predictions.png').is_file()
    assert 'trivial predictors (MSE)' in done.stdout
    # its model exported, f32 and int8, scored by VideoPredictionMetric (docs/deploy.md)
    rows = export_fidelity(work, ['video/mse_gain'], 1e-4, 1e-4, 0.05)
    assert rows['ort f32']['video/mse'] == pytest.approx(rows['pytorch']['video/mse'], rel=1e-4)
