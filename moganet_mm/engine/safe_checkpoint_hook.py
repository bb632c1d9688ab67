# Copyright (c) moganet_mm authors. Licensed under the Apache License 2.0.
"""MMEngine's CheckpointHook, made safe against a kill at any moment."""
import os
import os.path as osp

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook
from mmengine.registry import HOOKS


def _replace_text(path: str, text: str) -> None:
    tmp = f'{path}.tmp-{os.getpid()}'
    with open(tmp, 'w') as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


@HOOKS.register_module()
class SafeCheckpointHook(CheckpointHook):
    """:class:`mmengine.hooks.CheckpointHook` whose checkpoints are never half-written.

    The stock hook deletes the checkpoints beyond ``max_keep_ckpts`` *before*
    writing the new one, writes the new file in place, then rewrites
    ``last_checkpoint`` in place: a kill in between can leave ``--resume`` (auto
    resume) pointing at a truncated or deleted file. Here the new checkpoint is
    written to a hidden temporary file and renamed into place, ``last_checkpoint``
    is replaced atomically after that, and outdated checkpoints go last. A kill at
    any point leaves the previous complete checkpoint as the one ``--resume`` finds.

    Same arguments as ``CheckpointHook``; local directories only (other backends
    fall back to the stock behaviour). Use it with
    ``default_hooks = dict(checkpoint=dict(type='SafeCheckpointHook', interval=1))``.
    """

    def _save_checkpoint_with_step(self, runner, step, meta):
        if not isinstance(self.file_backend, LocalBackend):
            return super()._save_checkpoint_with_step(runner, step, meta)
        filename = self.filename_tmpl.format(step)
        self.last_ckpt = osp.join(self.out_dir, filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        outdated = []
        if not self.keep_ckpt_ids or self.keep_ckpt_ids[-1] != step:
            # the deque has maxlen=max_keep_ckpts: make room explicitly, so that we
            # know which files to delete once the new one is in place
            while 0 < self.max_keep_ckpts <= len(self.keep_ckpt_ids):
                outdated.append(self.keep_ckpt_ids.popleft())
            self.keep_ckpt_ids.append(step)
        runner.message_hub.update_info('keep_ckpt_ids', list(self.keep_ckpt_ids))

        tmp_name = f'.{filename}.partial'
        runner.save_checkpoint(
            self.out_dir,
            tmp_name,
            self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            backend_args=self.backend_args,
            **self.args)
        if not is_main_process():
            return
        os.replace(osp.join(self.out_dir, tmp_name), self.last_ckpt)
        _replace_text(osp.join(runner.work_dir, 'last_checkpoint'), self.last_ckpt)
        for old in outdated:
            path = osp.join(self.out_dir, self.filename_tmpl.format(old))
            if osp.isfile(path):
                os.remove(path)
