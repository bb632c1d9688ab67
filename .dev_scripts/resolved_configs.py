#!/usr/bin/env python
"""Every config under ``configs/`` resolved by MMEngine (bases merged, ``_base_``
references substituted), as canonical JSON: to check that a refactoring of the
configs changes nothing a user trains with.

    python .dev_scripts/resolved_configs.py --out before.json.gz   # a snapshot
    python .dev_scripts/resolved_configs.py --compare before.json.gz

``tests/test_configs_resolved.py`` compares every config with the snapshot taken
before the configs were rewritten around one table of sizes
(``tests/data/resolved_configs.json.gz``).
"""
import argparse
import gzip
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tools/ is not installed

from mmengine.config import Config

from tools.paths import REPO


def all_configs(root=REPO):
    """Every config a user can train (no ``_base_*`` files), relative to ``root``."""
    return sorted(
        str(p.relative_to(root)) for p in (Path(root) / 'configs').rglob('*.py')
        if not any(part.startswith('_') for part in p.relative_to(root).parts))


def canonical(value):
    """JSON-able, with tuples kept apart from lists."""
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, tuple):
        return {'__tuple__': [canonical(v) for v in value]}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return {'__repr__': repr(value)}


def resolve(config: str, root=REPO) -> dict:
    """The canonical resolved dict of ``root/config``."""
    cfg = Config.fromfile(str(Path(root) / config), import_custom_modules=False)
    return canonical(cfg.to_dict())


def diff(old, new, path=''):
    """Paths (``a.b[2].c``) where two canonical dicts differ."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new)):
            sub = f'{path}.{key}' if path else key
            if key not in old or key not in new:
                out.append(sub)
            else:
                out += diff(old[key], new[key], sub)
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [p for i, (a, b) in enumerate(zip(old, new)) for p in diff(a, b, f'{path}[{i}]')]
    return [] if old == new else [path]


def load(path):
    with gzip.open(path, 'rt') as f:
        return json.load(f)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument('--out', help='write the snapshot (.json.gz) here')
    group.add_argument('--compare', help='compare every config with this snapshot')
    parser.add_argument(
        '--root', default=str(REPO), help='the folder that holds configs/ (default: this checkout)')
    args = parser.parse_args(argv)
    if args.out:
        if Path(args.out).exists():
            parser.error(f'{args.out} exists; choose another path')
        snapshot = {c: resolve(c, args.root) for c in all_configs(args.root)}
        with gzip.open(args.out, 'wt') as f:
            json.dump(snapshot, f, sort_keys=True)
        print(f'{len(snapshot)} configs -> {args.out}')
        return 0
    snapshot, changed = load(args.compare), 0
    for config in sorted(set(snapshot) | set(all_configs(args.root))):
        if config not in snapshot or not (Path(args.root) / config).is_file():
            print(f'{config}: {"new" if config not in snapshot else "removed"}')
            changed += 1
            continue
        paths = diff(snapshot[config], resolve(config, args.root))
        if paths:
            changed += 1
            print(f'{config}: {", ".join(paths)}')
    print(f'{changed} of {len(snapshot)} configs differ')
    return 1 if changed else 0


if __name__ == '__main__':
    sys.exit(main())
