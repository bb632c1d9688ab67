"""Pieces the toy generators share."""
import math

import numpy as np


def gradient(rng: np.random.Generator, size: int, low: float = 0., high: float = 255.):
    """A linear gradient between two random colours in [low, high], in a random
    direction: float64 (size, size, 3)."""
    c0, c1 = rng.uniform(low, high, 3), rng.uniform(low, high, 3)
    angle = rng.uniform(0, 2 * math.pi)
    yy, xx = np.mgrid[0:size, 0:size] / size
    t = np.cos(angle) * xx + np.sin(angle) * yy
    t = (t - t.min()) / max(t.max() - t.min(), 1e-6)
    return c0 * (1 - t[..., None]) + c1 * t[..., None]
