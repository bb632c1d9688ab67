#!/usr/bin/env python
"""The OpenMMLab model index: ``model-index.yml`` and ``configs/<task>/metafile.yml``.

Every config of ``configs/{cls,det,seg,pose,video}/`` (not ``_base`` files, not
``toy/``) gets one ``Models`` entry, in the layout of mmdet / mmseg / mmpretrain
metafiles, that ``mim search moganet_mm`` lists:

- ``Metadata``: ``Parameters`` and ``FLOPs`` counted by the model-zoo tool's own
  per-task code (``.dev_scripts/zoo_tasks/``: the whole task model at the paper's
  input size, one multiply-add = one FLOP) at the precision the tool prints
  (0.01 M; 0.1 G, or 0.01 G below 100 G), ``Input Size``, ``Training Data``, ``Epochs`` or
  ``Iterations`` and ``Batch Size`` read from the config (the batch is the
  original's total: ``auto_scale_lr.base_batch_size``, else 8 GPUs x the
  per-GPU batch; 1 GPU for video);
- ``Results``: the paper's numbers from ``paper_tables/``; where the
  authors' README prints another number for the released file (e.g. Mask R-CNN
  B 1x: 47.9 / 43.2 in the paper, 49.0 / 43.8 in the README), that number is
  added as ``<metric> (released file)``; where the paper has no row (Mask R-CNN
  3x, the plain Cascade S), the README's numbers are the metrics;
- ``Weights``: the authors' release URL (``moganet_mm/releases.py``), absent
  where none was released (``Notes`` says so).

The Markdown tables of README.md (one row per collection), docs/model_zoo.md (one
row per model), docs/released_models.md (the command per released file) and the
params/FLOPs tables of docs/{cls,det,seg,pose}.md (the zoo tool's format), between
``<!-- model-index:<kind> begin -->`` and ``... end -->``, are rendered from the
index and the paper's params/FLOPs, never typed.

    .venv/bin/python .dev_scripts/model_index.py            # count, write index + tables
    .venv/bin/python .dev_scripts/model_index.py --reuse    # keep the metafiles' counts
    .venv/bin/python .dev_scripts/model_index.py --check    # exit 1 if anything is stale
    .venv/bin/python .dev_scripts/model_index.py --counts counts.json  # counts made earlier
"""
import argparse
import functools
import json
import re
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tools/ is not installed

import io

import torch
from mmengine.analysis import get_model_complexity_info
from mmengine.config import Config

import moganet_mm  # noqa: F401  (registers MogaNet)
from moganet_mm.releases import RELEASES
from tools.paths import REPO

from model_zoo import print_table
from paper import csv_rows, paper_row, within
from zoo_tasks import TASKS as ZOO

TASKS = ('cls', 'det', 'seg', 'pose', 'video')
INDEX = REPO / 'model-index.yml'
PAPER = dict(
    URL='https://arxiv.org/abs/2211.03295', Title='MogaNet: Multi-order Gated Aggregation Network')
ORIGINAL = 'https://github.com/Westlake-AI/MogaNet'
#: collection name -> (task, config-name regex, Metadata, original code URL)
COLLECTIONS = {
    'MogaNet':
    ('cls', r'moganet_\w+_in1k(_\d+)?',
     dict(
         Architecture=['MogaNet', 'Multi-order Gated Aggregation', 'Channel Aggregation'],
         **{'Training Data': 'ImageNet-1k'}), f'{ORIGINAL}/blob/main/models/moganet.py'),
    'RetinaNet MogaNet':
    ('det', r'retinanet_moganet_.*', dict(Architecture=['MogaNet', 'FPN', 'RetinaNet']),
     f'{ORIGINAL}/tree/main/detection'),
    'Mask R-CNN MogaNet': ('det', r'mask_rcnn_moganet_.*',
                           dict(Architecture=['MogaNet', 'FPN', 'Mask R-CNN']),
                           f'{ORIGINAL}/tree/main/detection'),
    'Cascade Mask R-CNN MogaNet': ('det', r'cascade_mask_rcnn_moganet_.*',
                                   dict(Architecture=['MogaNet', 'FPN', 'Cascade Mask R-CNN']),
                                   f'{ORIGINAL}/tree/main/detection'),
    'Semantic FPN MogaNet':
    ('seg', r'fpn_moganet_.*', dict(Architecture=['MogaNet', 'Semantic FPN']),
     f'{ORIGINAL}/tree/main/segmentation'),
    'UperNet MogaNet': ('seg', r'upernet_moganet_.*', dict(Architecture=['MogaNet', 'UperNet']),
                        f'{ORIGINAL}/tree/main/segmentation'),
    'TopDown Heatmap MogaNet': ('pose', r'topdown_moganet_.*',
                                dict(Architecture=['MogaNet', 'TopDown', 'Heatmap']),
                                f'{ORIGINAL}/tree/main/pose_estimation'),
    'SimVP MogaNet': ('video', r'simvp_moganet_.*', dict(Architecture=['SimVP', 'MogaNet blocks']),
                      f'{ORIGINAL}/tree/main/video_prediction'),
}
TASK_NAMES = {
    'cls': ('Image Classification', 'ImageNet-1k'),
    'det': ('Object Detection', 'COCO'),
    'seg': ('Semantic Segmentation', 'ADE20K'),
    'pose': ('Pose Estimation', 'COCO'),
    'video': ('Video Prediction', None)
}
SIZE = r'(xt|t|s|b|l|xl)'


def config_paths(tasks=TASKS):
    """Every indexed config: ``configs/<task>/*.py`` except ``_base`` files."""
    return [
        p for t in tasks for p in sorted((REPO / 'configs' / t).glob('*.py'))
        if not p.name.startswith('_')
    ]


def collection_of(name):
    """The collection whose config-name pattern matches ``name`` (exactly one must)."""
    hits = [c for c, (_, regex, _, _) in COLLECTIONS.items() if re.fullmatch(regex, name)]
    if len(hits) != 1:
        raise LookupError(f'{name}: {len(hits)} collections of the model index match this '
                          f'config name ({hits}); expected one')
    return hits[0]


# ------------------------------------------------------------------ paper metrics
def _num(s):
    return float(s) if s not in ('', None) else None


def paper_results(name):
    """``(metrics, pretrain)`` the paper's tables give for a config (metrics may be {})."""
    if m := re.fullmatch(rf'moganet_{SIZE}_in1k(?:_(\d+))?', name):
        size, res = m.group(1).upper(), m.group(2) or '224'
        rows = [
            r for r in csv_rows('imagenet_top1.csv')
            if r['arch'] == f'MogaNet-{size}' and r['input'] == res
        ]
        main = [r for r in rows if r['recipe'].startswith('300ep IN-1K')]
        # XT at 224 has only the recipe-ablation row of the released recipe
        row = main[0] if main else next(r for r in rows if 'lr 1e-3, warmup 5' in r['recipe'])
        return {'Top 1 Accuracy': _num(row['top1'])}, 'ImageNet-1k'
    if m := re.fullmatch(rf'(retinanet|mask_rcnn|cascade_mask_rcnn)_moganet_{SIZE}_(1x|3x)', name):
        family, size, sched = m.groups()
        arch = f'MogaNet-{size.upper()}'
        if family == 'retinanet':
            row = paper_row('coco_retinanet_1x.csv', arch=arch)
            return {'box AP': _num(row['AP'])}, 'ImageNet-1k'
        if family == 'mask_rcnn':
            if sched == '3x':  # the paper prints 1x rows only
                return {}, 'ImageNet-1k'
            row = paper_row('coco_mask_rcnn_1x.csv', arch=arch)
            return {'box AP': _num(row['APb']), 'mask AP': _num(row['APm'])}, 'ImageNet-1k'
        row = paper_row('coco_cascade_mask_rcnn_3x_ms.csv', arch=arch)
        return ({
            'box AP': _num(row['APb']),
            'mask AP': _num(row['APm'])
        }, _pretrain(row['pretrain']))
    if re.fullmatch(r'cascade_mask_rcnn_moganet_\w+', name):  # variants the paper has no row for
        return {}, 'ImageNet-1k'
    if m := re.fullmatch(rf'fpn_moganet_{SIZE}_80k_ade20k', name):
        row = paper_row('ade20k_semantic_fpn_80k.csv', arch=f'MogaNet-{m.group(1).upper()}')
        return {'mIoU': _num(row['mIoU']), 'mAcc': _num(row['mAcc'])}, 'ImageNet-1k'
    if m := re.fullmatch(rf'upernet_moganet_{SIZE}_160k_ade20k(?:_(\d+))?', name):
        row = paper_row(
            'ade20k_upernet_160k.csv',
            arch=f'MogaNet-{m.group(1).upper()}',
            crop=m.group(2) or '512')
        return {'mIoU': _num(row['mIoU'])}, _pretrain(row['pretrain'])
    if m := re.fullmatch(rf'topdown_moganet_{SIZE}_coco_(\d+x\d+)', name):
        row = paper_row(
            'coco_pose_topdown.csv', arch=f'MogaNet-{m.group(1).upper()}', input=m.group(2))
        return {
            'AP': _num(row['AP']),
            'AP@0.5': _num(row['AP50']),
            'AP@0.75': _num(row['AP75']),
            'AR': _num(row['AR'])
        }, 'ImageNet-1k'
    if name in VIDEO_DATASETS:
        match = dict(dataset=VIDEO_DATASETS[name][0], arch='MogaNet')
        if name == 'simvp_moganet_mmnist':
            match['epochs'] = '200'
        row = paper_row('video_mmnist.csv', **match)
        metrics = {
            'MSE': _num(row['mse']),
            'MAE': _num(row['mae']),
            'SSIM': _num(row['ssim']),
            'PSNR': _num(row['psnr'])
        }
        return {k: v for k, v in metrics.items() if v is not None}, None
    raise LookupError(f'{name}: no paper table row is known for this config')


VIDEO_DATASETS = {
    'simvp_moganet_mmnist': ('MMNIST 10x1x64x64', 'Moving MNIST'),
    'simvp_moganet_mmnist_cifar': ('MMNIST-CIFAR 10x3x64x64', 'MNIST-CIFAR')
}


def _pretrain(csv_value):
    return {'IN-1K': 'ImageNet-1k', 'IN-21K': 'ImageNet-21k'}[csv_value]


def merged_metrics(paper, readme):
    """The paper's metrics, each followed by the README's as ``<metric> (released file)``
    where it differs; the README's alone where the paper has none."""
    readme = readme or {}
    out = {}
    for key, value in paper.items():
        out[key] = value
        if key in readme and readme[key] != value:
            out[f'{key} (released file)'] = readme[key]
    out.update((k, v) for k, v in readme.items() if k not in paper)
    return out


# ------------------------------------------------------------------ counting
def measure(cfg_path):
    """Exact params and FLOPs of a config, counted as ``.dev_scripts/model_zoo.py``
    counts them (its per-task ``build_for_counting`` / ``counted_module``, MMEngine's
    ``get_model_complexity_info`` at the paper's input)."""

    spec, cfg = ZOO[Path(cfg_path).parent.name], Config.fromfile(cfg_path)
    module, inputs = spec.build_for_counting(cfg, input_size(cfg_path))
    with torch.no_grad():
        info = get_model_complexity_info(module, inputs=inputs, show_table=False, show_arch=False)
    params = sum(p.numel() for p in spec.counted_module(module).parameters())
    return dict(params=params, flops=int(info['flops']))


def at_tool_precision(counts):
    """``counts`` (params, FLOPs) rounded as ``.dev_scripts/model_zoo.py`` prints them:
    params to 0.01 M, FLOPs to 0.1 G (0.01 G below 100 G); kept as plain numbers."""
    params, flops = counts['params'] / 1e6, counts['flops'] / 1e9
    return dict(
        params=int(round(round(params, 2) * 1e6)),
        flops=int(round(round(flops, 1 if flops > 100 else 2) * 1e9)))


def input_size(cfg_path):
    """(h, w) the paper counts a config at (the zoo tool's rule); the plain Cascade S,
    which has no paper row, is counted like the other detectors (1280x800)."""
    path = Path(cfg_path)
    try:
        return ZOO[path.parent.name].paper(path.stem)['input']
    except (LookupError, ValueError):
        if path.parent.name == 'det':
            return ZOO['det'].INPUT_HW
        raise


def paper_counts(name, task):
    """(params M, FLOPs G) as the paper's CSV prints them, or ('', '') without a row."""
    try:
        row = ZOO[task].paper(name)
    except (LookupError, ValueError):
        return '', ''
    return row['params'], row['flops']


# ------------------------------------------------------------------ entries
@functools.lru_cache(maxsize=None)
def load_config(cfg_path):
    """``Config.fromfile``, once per path (read-only use)."""
    return Config.fromfile(cfg_path)


def training_metadata(cfg_path):
    """Epochs or Iterations, and the original's total batch size, read from the config."""
    cfg = load_config(Path(cfg_path))
    meta = {}
    train_cfg = cfg.get('train_cfg') or {}
    if train_cfg.get('max_epochs'):
        meta['Epochs'] = int(train_cfg['max_epochs'])
    if train_cfg.get('max_iters'):
        meta['Iterations'] = int(train_cfg['max_iters'])
    base = (cfg.get('auto_scale_lr') or {}).get('base_batch_size')
    gpus = 1 if Path(cfg_path).parent.name == 'video' else 8
    meta['Batch Size'] = int(base or cfg.train_dataloader.batch_size * gpus)
    return meta


def model_entry(cfg_path, counts):
    """The ``Models`` entry of one config (``counts``: dict(params, flops))."""
    path = Path(cfg_path)
    name, task = path.stem, path.parent.name
    release = RELEASES.get(name)
    if release is None:
        raise LookupError(f'{name}: moganet_mm/releases.py has no entry for this config')
    paper, pretrain = paper_results(name)
    metrics = merged_metrics(paper, release['readme'])
    task_name, dataset = TASK_NAMES[task]
    if task == 'video':
        dataset = VIDEO_DATASETS[name][1]
    if task in ('cls', 'video'):
        data = dataset
    else:
        data = [f'{pretrain} (backbone pre-training)', dataset]
    counts = at_tool_precision(counts)
    meta = {
        'Parameters': counts['params'],
        'FLOPs': counts['flops'],
        'Input Size': 'x'.join(str(s) for s in input_size(path)),
        'Training Data': data,
        **training_metadata(path)
    }
    results = []
    if task == 'det':
        box = {k: v for k, v in metrics.items() if k.startswith('box')}
        mask = {k: v for k, v in metrics.items() if k.startswith('mask')}
        results.append(dict(Task='Object Detection', Dataset='COCO', Metrics=box))
        if mask:
            results.append(dict(Task='Instance Segmentation', Dataset='COCO', Metrics=mask))
    else:
        results.append(dict(Task=task_name, Dataset=dataset, Metrics=metrics))
    entry = {
        'Name': name,
        'In Collection': collection_of(name),
        'Config': f'configs/{task}/{path.name}',
        'Metadata': meta,
        'Results': results
    }
    if release['url']:
        entry['Weights'] = release['url']
    notes = [release['note']] if release['note'] else []
    if any(k.endswith('(released file)') for k in metrics):
        notes.append("'(released file)' metrics are the authors' README numbers for the "
                     'released weights; the plain metrics are the paper\'s')
    if release['original']:
        entry['Original Config'] = release['original']
    if notes:
        entry['Notes'] = '; '.join(dict.fromkeys(notes))
    return entry


def collection_entries(task):
    out = []
    for cname, (ctask, _, meta, code) in COLLECTIONS.items():
        if ctask == task:
            out.append({
                'Name': cname,
                'Metadata': meta,
                'Paper': PAPER,
                'README': f'docs/{task}.md',
                'Code': {
                    'URL': code
                }
            })
    return out


def build_metafiles(counts):
    """{task: metafile dict}; ``counts``: {config relpath: dict(params, flops)}."""
    out = {}
    for task in TASKS:
        models = [model_entry(p, counts[f'configs/{task}/{p.name}']) for p in config_paths([task])]
        out[task] = {'Collections': collection_entries(task), 'Models': models}
    return out


def index_dict():
    return {'Import': [f'configs/{t}/metafile.yml' for t in TASKS]}


class _Dumper(yaml.SafeDumper):
    """Writes repeated values (the shared Paper dict) in full, never as YAML aliases."""

    def ignore_aliases(self, data):
        return True


def dump(data):
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def load_metafiles():
    """{task: metafile dict} as written."""
    out = {}
    for task in TASKS:
        path = REPO / 'configs' / task / 'metafile.yml'
        out[task] = yaml.safe_load(path.read_text()) if path.is_file() else None
    return out


# ------------------------------------------------------------------ tables
def _fmt(v):
    return '-' if v is None else str(v)


def render_tables(metafiles):
    """One Markdown table per collection: params / FLOPs (ours and the paper's),
    metrics, weights. Rendered from the metafiles alone."""
    lines = []
    for task in TASKS:
        models = metafiles[task]['Models']
        for coll in [c['Name'] for c in metafiles[task]['Collections']]:
            rows = [m for m in models if m['In Collection'] == coll]
            if not rows:
                continue
            keys = list(dict.fromkeys(k for m in rows for r in m['Results'] for k in r['Metrics']))
            lines += [
                f'**{coll}**', '',
                '| config | input | params (M) ours / paper | FLOPs (G) ours / paper | ' +
                ' | '.join(keys) + ' | weights |', '|' + '---|' * (5 + len(keys))
            ]
            for m in rows:
                meta = m['Metadata']
                pp, pf = paper_counts(m['Name'], task)
                flops = meta['FLOPs'] / 1e9
                metrics = {k: v for r in m['Results'] for k, v in r['Metrics'].items()}
                weights = f"[model]({m['Weights']})" if m.get('Weights') else 'none released'
                lines.append(f"| `{m['Name']}` | {meta['Input Size']} | "
                             f"{meta['Parameters'] / 1e6:.2f} / {pp or '-'} | "
                             f"{flops:.{1 if flops > 100 else 2}f} / {pf or '-'} | " +
                             ' | '.join(_fmt(metrics.get(k)) for k in keys) + f' | {weights} |')
            lines.append('')
    return '\n'.join(lines).rstrip() + '\n'


def render_summary(metafiles):
    """One row per collection (the README's table): configs, params and FLOPs
    (ours / the paper's, in config order) and the paper's main metric."""
    lines = [
        '| model | configs | params (M), ours / paper | FLOPs (G), ours / paper | '
        'metric (paper; released file where it differs) |', '|---|---|---|---|---|'
    ]
    for task in TASKS:
        models = metafiles[task]['Models']
        for coll in [c['Name'] for c in metafiles[task]['Collections']]:
            rows = [m for m in models if m['In Collection'] == coll]
            if not rows:
                continue
            params, flops, metrics = [], [], []
            for m in rows:
                pp, pf = paper_counts(m['Name'], task)
                f = m['Metadata']['FLOPs'] / 1e9
                params.append(f"{m['Metadata']['Parameters'] / 1e6:.2f}/{pp or '-'}")
                flops.append(f"{f:.{1 if f > 100 else 2}f}/{pf or '-'}")
                first = m['Results'][0]['Metrics']
                key = next(iter(first))
                value = _fmt(first[key])
                if f'{key} (released file)' in first:
                    value += f" ({_fmt(first[f'{key} (released file)'])})"
                metrics.append(value)
            key = next(iter(rows[0]['Results'][0]['Metrics']))
            names = ', '.join(f"`{m['Name']}`" for m in rows)
            lines.append(f"| {coll} | {names} | {', '.join(params)} | {', '.join(flops)} | "
                         f"{key}: {', '.join(metrics)} |")
    return '\n'.join(lines) + '\n'


#: task -> (codebase for mim test, {index metric: (printed key, scale, decimals)})
EVAL = {
    'cls': ('mmpretrain', {
        'Top 1 Accuracy': ('accuracy/top1', 1, 1)
    }),
    'det': ('mmdet', {
        'box AP': ('coco/bbox_mAP', 0.01, 3),
        'mask AP': ('coco/segm_mAP', 0.01, 3)
    }),
    'seg': ('mmseg', {
        'mIoU': ('mIoU', 1, 1)
    }),
    'pose': ('mmpose', {
        'AP': ('coco/AP', 0.01, 3)
    }),
    'video': (None, {
        'MSE': ('video/mse', 1, 2)
    })
}


def eval_command(task, name, file):
    """The command that evaluates the released ``file`` with ``configs/<task>/<name>.py``."""
    config = f'configs/{task}/{name}.py'
    if task == 'cls':
        out = f'{name}_mmpretrain.pth'
        return (f'python tools/model_converters/moganet_to_mmpretrain.py {file} {out} && '
                f'mim test mmpretrain {config} --checkpoint {out}')
    if task == 'video':
        out = f'{name}_mm.pth'
        return (f'python tools/model_converters/openstl_to_mm.py {file} {out} && python -c '
                '"from mmengine.config import Config; from mmengine.runner import Runner; '
                f"c = Config.fromfile('{config}'); c.load_from = '{out}'; "
                'Runner.from_cfg(c).test()"')
    return f'mim test {EVAL[task][0]} {config} --checkpoint {file}'


def render_released(metafiles):
    """Per released file: the command that evaluates it and what it should print (the
    released file's number: the README's where it differs from the paper)."""
    lines = [
        '| config | released file | command (from the repo root, data under `data/`) '
        '| should print |', '|---|---|---|---|'
    ]
    for task in TASKS:
        for m in metafiles[task]['Models']:
            if not m.get('Weights'):
                continue
            file = m['Weights'].rsplit('/', 1)[1]
            metrics = {k: v for r in m['Results'] for k, v in r['Metrics'].items()}
            expect = []
            for key, (printed, scale, decimals) in EVAL[task][1].items():
                value = metrics.get(f'{key} (released file)', metrics.get(key))
                if value is not None:
                    expect.append(f'`{printed}` {value * scale:.{decimals}f}')
            lines.append(f"| `{m['Name']}` | [{file}]({m['Weights']}) | "
                         f"`{eval_command(task, m['Name'], file)}` | {', '.join(expect)} |")
    return '\n'.join(lines) + '\n'


def zoo_rows(metafiles, task):
    """The model-zoo tool's rows (``.dev_scripts/model_zoo.py``) for ``task``, from the
    index's counts and the paper's params / FLOPs, with the tool's tolerance rule."""
    rows = []
    for m in metafiles[task]['Models']:
        params, flops = m['Metadata']['Parameters'] / 1e6, m['Metadata']['FLOPs'] / 1e9
        pp, pf = paper_counts(m['Name'], task)
        rows.append(
            dict(
                config=m['Config'],
                input=m['Metadata']['Input Size'],
                params_M=round(params, 2),
                flops_G=round(flops, 1 if flops > 100 else 2),
                paper_params_M=pp,
                paper_flops_G=pf,
                params_diff=params / float(pp) - 1 if pp else None,
                flops_diff=flops / float(pf) - 1 if pf else None,
                ok=(not pp or within(params, pp, 0.01))
                and (not pf or within(flops, pf, ZOO[task].FLOPS_TOL))))
    return rows


def render_zoo(task):
    """A renderer of ``task``'s table in the model-zoo tool's own format."""

    def render(metafiles):

        out = io.StringIO()
        print_table(zoo_rows(metafiles, task), file=out)
        return out.getvalue()

    return render


def markers(kind):
    return f'<!-- model-index:{kind} begin -->', f'<!-- model-index:{kind} end -->'


def replace_block(text, kind, block, path):
    """``text`` with the lines between the ``kind`` markers replaced by ``block``."""
    begin, end = markers(kind)
    if begin not in text or end not in text:
        raise ValueError(f'{path}: no {begin} ... {end} block to fill')
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f'{head}{begin}\n{block}{end}{tail}'


#: file -> (marker kind, renderer)
TABLE_FILES = {
    'README.md': ('summary', render_summary),
    'docs/model_zoo.md': ('tables', render_tables),
    'docs/released_models.md': ('released', render_released),
    **{
        f'docs/{t}.md': (f'zoo-{t}', render_zoo(t))
        for t in ('cls', 'det', 'seg', 'pose')
    }
}


# ------------------------------------------------------------------ main
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument(
        '--reuse',
        action='store_true',
        help='keep the Parameters/FLOPs already in the metafiles; count '
        'only configs that have none')
    parser.add_argument(
        '--check',
        action='store_true',
        help='write nothing; exit 1 if the index or the tables are stale '
        '(implies --reuse)')
    parser.add_argument(
        '--counts',
        help='JSON {config: {params, flops}} of counts made '
        'earlier with measure(); configs missing from it are counted')
    args = parser.parse_args(argv)
    known = {
        m['Config']: dict(params=m['Metadata']['Parameters'], flops=m['Metadata']['FLOPs'])
        for mf in load_metafiles().values() if mf for m in mf['Models']
    }
    if args.counts:
        with open(args.counts) as f:
            known.update(json.load(f))
        args.reuse = True
    counts = {}
    for path in config_paths():
        rel = f'configs/{path.parent.name}/{path.name}'
        if (args.reuse or args.check) and rel in known:
            counts[rel] = known[rel]
        elif args.check:
            print(f'{rel}: not in the index', file=sys.stderr)
            return 1
        else:
            counts[rel] = measure(path)
            print(
                f"{rel}: {counts[rel]['params']} params, {counts[rel]['flops']} FLOPs",
                file=sys.stderr)
    metafiles = build_metafiles(counts)
    outputs = {INDEX: dump(index_dict())}
    outputs.update({REPO / 'configs' / t / 'metafile.yml': dump(mf) for t, mf in metafiles.items()})
    for rel, (kind, render) in TABLE_FILES.items():
        path = REPO / rel
        outputs[path] = replace_block(path.read_text(), kind, render(metafiles), rel)
    stale = [p for p, text in outputs.items() if not p.is_file() or p.read_text() != text]
    if args.check:
        for p in stale:
            print(f'stale: {p.relative_to(REPO)}', file=sys.stderr)
        return 1 if stale else 0
    for p in stale:
        p.write_text(outputs[p])
        print(f'wrote {p.relative_to(REPO)}', file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main())
