"""What the steps of the GPU run (tools/gpu/run_all.sh) share: their flags, the
deadline each one keeps and the JSON each one writes (no torch: the summary imports it
after every step; :mod:`tools.gpu.device` says which machine a step ran on).

Every step writes its JSON again after each phase, so that a step stopped at its
budget leaves what it measured; ``--deadline`` (epoch seconds; run_all.sh passes its
step budget's end through ``GPU_KIT_DEADLINE``) tells it when to stop starting phases.
``--smoke`` runs the step's code on the CPU with tiny settings: what the CPU
rehearsal does with a GPU-only step (the GPU numbers need a GPU).
"""
import argparse
import json
import math
import os
import time
from pathlib import Path


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument('--json', required=True, help='write the results here (rewritten per phase)')
    p.add_argument(
        '--smoke',
        action='store_true',
        help='the CPU smoke: tiny settings on the CPU (the rehearsal of a GPU-only step)')
    p.add_argument(
        '--deadline',
        type=float,
        default=float(os.environ.get('GPU_KIT_DEADLINE') or math.inf),
        help='epoch seconds after which no new phase starts '
        '(default: $GPU_KIT_DEADLINE, else none)')
    return p


class Clock:
    """Seconds since the step began and seconds left to its deadline."""

    def __init__(self, deadline: float = math.inf):
        self.start = time.time()
        self.deadline = deadline

    def elapsed(self) -> float:
        return time.time() - self.start

    def left(self) -> float:
        return self.deadline - time.time()


def write_json(path, obj) -> None:
    """Write ``obj`` to ``path`` whole or not at all (a killed step leaves the last one)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + '.tmp')
    tmp.write_text(json.dumps(obj, indent=1, default=str))
    os.replace(tmp, path)
