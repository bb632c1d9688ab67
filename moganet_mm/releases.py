# Copyright (c) moganet_mm authors. Licensed under the Apache License 2.0.
"""The authors' released task models and the numbers their READMEs print for them
(the sizes and their ImageNet releases are :mod:`moganet_mm.sizes`).

Facts read from Westlake-AI/MogaNet (``README.md``, ``detection/README.md``,
``segmentation/README.md``, ``pose_estimation/README.md``, commit 386b548) and
OpenSTL's MogaNet rows (the video rows of the same README). Each entry is keyed by
this project's config name and gives:

- ``file``: the release file name, ``url``: where it is downloaded from
  (``None`` where the authors released no weights: Cascade L, and the XL rows
  trained from IN-21K pre-training);
- ``original``: the original config (or training args) that produced it;
- ``readme``: the metrics the authors' README prints for that file, when they
  differ from the paper's tables or the paper has no row for it (the Mask R-CNN 3x
  rows); ``None`` means the README prints the paper's numbers;
- ``note``: anything a user must know about the row.

The paper's own numbers live in ``paper_tables/`` and are read by
``.dev_scripts/model_index.py``, never copied here.
"""

from .sizes import moganet_sizes, moganet_weights

OPENSTL = 'https://github.com/chengtan9907/OpenSTL/releases/download'
ORIG_TREE = 'https://github.com/Westlake-AI/MogaNet/tree/main'

#: short size name -> long name (``'s'`` -> ``'small'``)
SIZE_NAMES = {key: row['arch'] for key, row in moganet_sizes.items()}


def _release(tag, file, original, readme=None, note=None, base=moganet_weights):
    return dict(
        file=file,
        url=f'{base}/{tag}/{file}' if file else None,
        original=original,
        readme=readme,
        note=note)


def _cls():
    out = {}
    top5 = {
        ('xt', 224): 93.4,
        ('xt', 256): 93.8,
        ('t', 224): 94.6,
        ('t', 256): 94.9,
        ('s', 224): 96.9,
        ('b', 224): 97.0,
        ('l', 224): 97.1,
        ('xl', 224): 97.4
    }
    readme_top1 = {('t', 256): 79.6}
    for (size, res), t5 in top5.items():
        # the 256 files are named as the 224 ones, with sz256
        stem = moganet_sizes[size]['in1k'].replace('sz224', f'sz{res}')[:-len('.pth.tar')]
        name = f'moganet_{size}_in1k' + ('' if res == 224 else f'_{res}')
        readme = {'Top 5 Accuracy': t5}
        note = None
        if (size, res) in readme_top1:
            readme['Top 1 Accuracy'] = readme_top1[(size, res)]
            note = ("the released file (lr 1e-3, warmup 5, RandAugment 7/0.5) scores 79.6; "
                    "the paper's 80.0 is OpenMixup's DeiT-3 recipe "
                    "(moga_tiny_deit3_sz256_lr2e_3_8xb128_fp16_ep300.pth, lr 2e-3, warmup 20, "
                    '3-Augment), a different file and recipe')
        if (size, res) == ('xt', 224):
            note = ("the paper's main table prints XT at 256 only; 76.5 is its recipe-ablation "
                    'row with the same recipe (lr 1e-3, warmup 5, RandAugment 7/0.5)')
        out[name] = _release('moganet-in1k-weights', f'{stem}.pth.tar', f'{stem}_args.yaml', readme,
                             note)
    return out


def _det():
    out = {}
    tag = 'moganet-det-weights'
    for size in ('xt', 't', 's', 'b', 'l'):
        orig = f'retinanet_moganet_{SIZE_NAMES[size]}_fpn_1x_coco'
        out[f'retinanet_moganet_{size}_1x'] = _release(tag, f'{orig}.pth', f'{orig}.py')
    readme_1x = {'s': (46.6, 42.2), 'b': (49.0, 43.8), 'l': (49.4, 44.2)}
    for size in ('xt', 't', 's', 'b', 'l'):
        orig = f'mask_rcnn_moganet_{SIZE_NAMES[size]}_fpn_1x_coco'
        readme = None
        if size in readme_1x:
            box, mask = readme_1x[size]
            readme = {'box AP': box, 'mask AP': mask}
        out[f'mask_rcnn_moganet_{size}_1x'] = _release(tag, f'{orig}.pth', f'{orig}.py', readme)
    readme_3x = {'t': (45.3, 40.7), 's': (48.5, 43.1), 'b': (50.3, 44.4), 'l': (50.6, 44.6)}
    for size, (box, mask) in readme_3x.items():
        orig = f'mask_rcnn_moganet_{size}_fpn_mstrain_480-800_3x_coco'
        out[f'mask_rcnn_moganet_{size}_3x'] = _release(
            tag, f'{orig}.pth', f'{orig}.py', {
                'box AP': box,
                'mask AP': mask
            }, 'no paper row: the 3x numbers are the README\'s')
    for size in ('s', 'b'):
        orig = f'cascade_mask_rcnn_moganet_{size}_fpn_giou_4conv1f_ms_3x_coco'
        readme = {'box AP': 51.7, 'mask AP': 45.1} if size == 's' else None
        out[f'cascade_mask_rcnn_moganet_{size}_3x'] = _release(tag, f'{orig}.pth', f'{orig}.py',
                                                               readme)
    out['cascade_mask_rcnn_moganet_l_3x'] = _release(
        tag,
        None,
        'cascade_mask_rcnn_moganet_l_fpn_giou_4conv1f_ms_3x_coco.py',
        note='no released weights (the README links none)')
    out['cascade_mask_rcnn_moganet_xl_3x'] = _release(
        tag,
        None,
        None,
        note='IN-21K pre-trained backbone: no released weights and no original config')
    orig = 'cascade_mask_rcnn_moganet_s_fpn_ms_3x_coco'
    out['cascade_mask_rcnn_moganet_s_3x_plain'] = _release(
        tag, f'{orig}.pth', f'{orig}.py', {
            'box AP': 51.4,
            'mask AP': 44.9
        }, "no paper row: the plain (Shared2FC) Cascade S is the README's row "
        '(77.9M / 405.4G there)')
    return out


def _seg():
    out = {}
    tag = 'moganet-seg-weights'
    for size in ('xt', 't', 's', 'b', 'l'):
        orig = f'fpn_moganet_{SIZE_NAMES[size]}_80k_ade20k'
        out[f'fpn_moganet_{size}_80k_ade20k'] = _release(tag, f'{orig}.pth', f'{orig}.py')
    macc = {'xt': 55.1, 't': 57.1, 's': 61.6, 'b': 63.4, 'l': 63.5}
    for size in ('xt', 't', 's', 'b', 'l'):
        orig = f'upernet_moganet_{SIZE_NAMES[size]}_512x512_160k_ade20k'
        out[f'upernet_moganet_{size}_160k_ade20k'] = _release(tag, f'{orig}.pth', f'{orig}.py',
                                                              {'mAcc': macc[size]})
    out['upernet_moganet_xl_160k_ade20k_640'] = _release(
        tag,
        None,
        None,
        note='IN-21K pre-trained backbone: no released weights and no original config')
    return out


def _pose():
    out = {}
    for size in ('xt', 't', 's', 'b'):
        for res in ('256x192', '384x288'):
            orig = f'moganet_{size}_coco_{res}'
            out[f'topdown_moganet_{size}_coco_{res}'] = _release('moganet-pose-weights',
                                                                 f'{orig}.pth', f'{orig}.py')
    return out


def _video():
    return {
        'simvp_moganet_mmnist':
        _release(
            'mmnist-weights',
            'mmnist_simvp_s_moganet_one_ep200.pth',
            'OpenSTL configs/mmnist/simvp/SimVP_MogaNet.py', {'PSNR': 22.99},
            "OpenSTL's file (200 epochs); its 2000-epoch file is "
            'mmnist_simvp_s_moganet_one_ep2000.pth (MSE 15.67)',
            base=OPENSTL),
        'simvp_moganet_mmnist_cifar':
        _release(
            None,
            None,
            'OpenSTL configs/mmnist_cifar/simvp/SimVP_MogaNet.py',
            note='no released weights'),
    }


#: config name -> release facts (see the module docstring)
RELEASES = {**_cls(), **_det(), **_seg(), **_pose(), **_video()}
