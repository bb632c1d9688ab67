# Copyright (c) moganet_mm authors. Licensed under the Apache License 2.0.
"""Where the installed package keeps its configs and model index: ``moganet_mm/.mim/``,
as OpenMMLab's packages do (copies in a wheel, links to the checkout in an editable
install; see setup.py)."""
import os
import os.path as osp

MIM_ROOT = osp.join(osp.dirname(osp.abspath(__file__)), '.mim')


def get_config_path(name: str) -> str:
    """The absolute path of one of moganet_mm's configs, e.g.
    ``get_config_path('det/mask_rcnn_moganet_s_1x.py')``, for a ``_base_`` of your
    own config (MMEngine's ``pkg::path`` form knows only OpenMMLab's packages)."""
    root = osp.join(MIM_ROOT, 'configs')
    if not osp.isdir(root):
        raise FileNotFoundError(f'{root} is missing: moganet_mm was installed without its '
                                'configs; reinstall it with pip (pip install . or -e .)')
    path = osp.join(root, name[len('configs/'):] if name.startswith('configs/') else name)
    if not osp.isfile(path):
        raise FileNotFoundError(f'moganet_mm has no config {name!r}; the configs are '
                                f'<task>/<name>.py under {root}, tasks: '
                                f'{sorted(d for d in os.listdir(root) if not d.startswith("_"))}')
    return path
