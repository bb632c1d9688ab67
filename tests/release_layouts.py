"""Files in the layouts the authors' training code wrote, with random weights.

Each builder writes what the original tool chain puts in a release file:

- timm ``.pth.tar`` (timm ``CheckpointSaver._save``, the original ``train.py``):
  ``epoch``, ``arch``, ``state_dict``, ``optimizer``, ``version`` = 2, ``args`` (an
  ``argparse.Namespace``), ``amp_scaler`` (``NativeScaler.state_dict_key``),
  ``state_dict_ema`` and ``metric``;
- mmcv 1.x whole models (mmdet 2.x / mmseg 0.x / mmpose 0.x, through
  ``mmcv.runner.save_checkpoint`` and the original ``mmcv_custom/runner/checkpoint.py``):
  ``meta`` (``env_info``, ``config`` text, ``seed``, ``exp_name``, the codebase's
  version and ``CLASSES`` (+ ``PALETTE`` for mmseg), ``epoch``, ``iter``,
  ``mmcv_version``, ``time``, ``hook_msgs``), ``state_dict`` and ``optimizer``.

The backbone keys and shapes are the original implementation's, read from
``tests/data/reference/keys_<arch>.txt``; the task heads' keys are those of the
OpenMMLab 1.x/2.x model, which kept the 2.x/0.x names for these heads, except
mmpose 0.x's ``keypoint_head.*`` (1.x: ``head.*``).
"""
import argparse
from collections import OrderedDict

import numpy as np
import torch

from conftest import original_keys


def _random_like(shape, gen, integer=False):
    if integer:  # BN num_batches_tracked
        return torch.tensor(int(torch.randint(1, 10**6, (), generator=gen)))
    return torch.randn(shape, generator=gen)


def original_backbone(arch, seed=0, classifier=False):
    """The original MogaNet's state dict (random values); the dense backbone drops
    the classifier ``head.*`` as the original's ``fork_feat`` model does."""
    gen = torch.Generator().manual_seed(seed)
    return OrderedDict((k, _random_like(shape, gen, k.endswith('num_batches_tracked')))
                       for k, shape in original_keys(arch)
                       if classifier or not k.startswith('head.'))


def adamw_state(state_dict, lr=1e-3, weight_decay=0.05):
    """``torch.optim.AdamW.state_dict()`` of a model with these tensors (two groups, as
    timm's ``param_groups_weight_decay`` / mmcv's paramwise configs make)."""
    ids = list(range(len(state_dict)))
    state = {
        i: {
            'step': torch.tensor(100.),
            'exp_avg': torch.zeros_like(v, dtype=torch.float),
            'exp_avg_sq': torch.zeros_like(v, dtype=torch.float)
        }
        for i, v in zip(ids, state_dict.values()) if v.is_floating_point()
    }
    group = dict(
        lr=lr,
        betas=(0.9, 0.999),
        eps=1e-8,
        amsgrad=False,
        foreach=None,
        maximize=False,
        capturable=False,
        differentiable=False,
        fused=None,
        initial_lr=lr)
    return {
        'state':
        state,
        'param_groups': [
            dict(group, weight_decay=0.0, params=ids[::2]),
            dict(group, weight_decay=weight_decay, params=ids[1::2])
        ]
    }


def timm_release(arch, seed=0):
    """A timm ImageNet checkpoint (``moganet_<arch>_sz224_*.pth.tar``) as a dict."""
    weights = original_backbone(arch, seed, classifier=True)
    ema = OrderedDict((k, v + 0.5 if v.is_floating_point() else v) for k, v in weights.items())
    args = argparse.Namespace(
        model=f'moganet_{arch}',
        data_dir='/data/imagenet',
        dataset='',
        img_size=224,
        input_size=None,
        crop_pct=0.9,
        mean=None,
        std=None,
        interpolation='',
        batch_size=128,
        opt='adamw',
        opt_eps=1e-8,
        opt_betas=None,
        momentum=0.9,
        weight_decay=0.05,
        clip_grad=None,
        sched='cosine',
        lr=1e-3,
        lr_noise=None,
        warmup_lr=1e-6,
        min_lr=1e-5,
        epochs=300,
        warmup_epochs=5,
        cooldown_epochs=10,
        aa='rand-m9-mstd0.5-inc1',
        reprob=0.25,
        remode='pixel',
        recount=1,
        mixup=0.8,
        cutmix=1.0,
        cutmix_minmax=None,
        mixup_prob=1.0,
        smoothing=0.1,
        drop=0.0,
        drop_path=0.1,
        model_ema=True,
        model_ema_decay=0.9999,
        amp=True,
        native_amp=False,
        channels_last=False,
        seed=42,
        output='work_dirs',
        experiment='',
        eval_metric='top1',
        pin_mem=True,
        distributed=True,
        world_size=8,
        rank=0,
        device='cuda:0',
        prefetcher=True,
        train_interpolation='random',
        scale=[0.08, 1.0],
        ratio=[3. / 4., 4. / 3.],
        hflip=0.5,
        vflip=0.0,
        color_jitter=0.4,
        local_rank=0)
    return {
        'epoch': 299,
        'arch': f'moganet_{arch}',
        'state_dict': weights,
        'optimizer': adamw_state(weights),
        'version': 2,
        'args': args,
        'amp_scaler': {
            'scale': 65536.0,
            'growth_factor': 2.0,
            'backoff_factor': 0.5,
            'growth_interval': 2000,
            '_growth_tracker': 1234
        },
        'state_dict_ema': ema,
        'metric': 76.482
    }


def mmcv1_meta(codebase, version, config_text, classes, epoch, iters, palette=None, best=None):
    """``meta`` as mmcv 1.x's runner saved it for an OpenMMLab 1.x-era codebase."""
    meta = {
        'env_info': 'sys.platform: linux\nPython: 3.8.13\nCUDA available: True\n'
        'PyTorch: 1.12.0\nMMCV: 1.7.0',
        'config': config_text,
        'seed': 1234567,
        'exp_name': 'moganet.py'
    }
    if version is not None:  # mmpose 0.x writes no codebase version
        meta[f'{codebase}_version'] = version
    if classes is not None:
        meta['CLASSES'] = tuple(classes)
    if palette is not None:
        meta['PALETTE'] = palette
    hook_msgs = {
        'last_ckpt': f'work_dirs/moganet/{"epoch" if epoch else "iter"}_'
        f'{epoch or iters}.pth'
    }
    if best is not None:  # EvalHook(save_best=...) stores the numpy score it read
        hook_msgs.update(best_score=np.float64(best), best_ckpt='work_dirs/moganet/best.pth')
    meta.update(
        epoch=epoch,
        iter=iters,
        mmcv_version='1.7.0',
        time='Mon Nov 21 10:00:00 2022',
        hook_msgs=hook_msgs)
    return meta


def whole_model_release(model_state, arch, meta, seed=0, rename=None):
    """An mmcv 1.x whole-model file: the task model's head/neck keys (``rename``
    maps 1.x/2.x prefixes to the old ones), the original backbone under ``backbone.``."""
    gen = torch.Generator().manual_seed(seed + 1)
    state = OrderedDict()
    for k, v in model_state.items():
        if k.startswith('backbone.'):
            continue
        for new, old in (rename or {}).items():
            if k.startswith(new):
                k = old + k[len(new):]
        state[k] = _random_like(v.shape, gen, k.endswith('num_batches_tracked'))
    state.update((f'backbone.{k}', v) for k, v in original_backbone(arch, seed).items())
    return {'meta': meta, 'state_dict': state, 'optimizer': adamw_state(state)}
