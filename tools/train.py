#!/usr/bin/env python
"""Train with a codebase's own ``tools/train.py`` (what ``mim train`` runs), on GPUs or CPUs.

    .venv/bin/python tools/train.py mmdet configs/det/mask_rcnn_moganet_s_1x.py [train.py args]
    torchrun --nproc_per_node 2 tools/train.py mmdet CONFIG --launcher pytorch   # CPU DDP

Everything after the codebase name goes to mmdet's / mmseg's / mmpose's /
mmpretrain's ``tools/train.py`` unchanged. The one thing added: under torchrun
on a machine without a GPU, MMEngine's ``pytorch`` launcher fails (it calls
``torch.cuda.set_device``), so this joins a gloo process group first and selects
``CPUDistributedDataParallel`` (SyncBN reverted to BN, buffers broadcast from
rank 0).
"""
import importlib
import runpy
import sys
from pathlib import Path

from moganet_mm.codebases import CODEBASES
from moganet_mm.engine import join_cpu_process_group

USAGE = f'usage: tools/train.py {{{",".join(CODEBASES)}}} CONFIG [train.py args]'


def main():
    if sys.argv[1:] in (['-h'], ['--help']):
        print(USAGE + '\n\n' + __doc__.split('\n\n')[0])
        return
    if len(sys.argv) < 3 or sys.argv[1] not in CODEBASES:
        sys.exit(USAGE)
    codebase, args = sys.argv[1], sys.argv[2:]

    if join_cpu_process_group():
        args += ['--cfg-options', 'model_wrapper_cfg.type=CPUDistributedDataParallel']
    train_py = Path(
        importlib.import_module(codebase).__file__).parent / '.mim' / 'tools' / 'train.py'
    sys.argv = [str(train_py)] + args
    runpy.run_path(str(train_py), run_name='__main__')


if __name__ == '__main__':
    main()
