"""A stamp in each generated toy set saying what made it, so that a demo never
trains on a set made by an older generator or with other settings.

The stamp (``<root>/toy_dataset.json``) holds the generator's file name, the
SHA-256 of its source and the settings it ran with. A demo regenerates a set
whose stamp differs. A non-empty folder without a stamp was not made by a demo
(a hand-made set, or one from before stamps): a demo uses it as it is, with a
note, and never deletes it.
"""
import hashlib
import json
import shutil
from pathlib import Path

STAMP = 'toy_dataset.json'
# the det demo's stamp before it moved here: read like a stamp, so such sets are remade
LEGACY_STAMPS = ('toy_coco.json', )


def spec_of(generator, **settings):
    """What makes a set: the generator file's name and source hash, and its settings."""
    path = Path(generator)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return dict(generator=path.name, sha256=digest, **settings)


def ensure(root, spec, make, log=print):
    """Makes the set under ``root`` with ``make()`` unless its stamp equals ``spec``.

    A stale set (stamp differs) is deleted first, so that no file of it survives
    into the new one; a non-empty ``root`` without a stamp is used as it is.
    """
    root = Path(root)
    stamp = root / STAMP
    found = [f for f in (stamp, *(root / n for n in LEGACY_STAMPS)) if f.is_file()]
    if found:
        old = json.loads(found[0].read_text())
        if old == spec:
            log(f'toy set in {root} is current ({spec["generator"]} {spec["sha256"]})')
            return
        changed = sorted(k for k in set(old) | set(spec) if old.get(k) != spec.get(k))
        log(f'toy set in {root} is stale ({", ".join(changed)} changed): remaking it')
        shutil.rmtree(root)
    elif root.is_dir() and any(root.iterdir()):
        log(f'{root} has no {STAMP}, so no demo made it: using it as it is (remove it to '
            f'have {spec["generator"]} make the set)')
        return
    log(f'making the toy set in {root} ({spec})')
    make()
    stamp.write_text(json.dumps(spec, indent=1) + '\n')
