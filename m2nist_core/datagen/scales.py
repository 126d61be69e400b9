"""Digit scales: the MNIST Large Scale set of 17, random draws, names."""
import math
from typing import Optional

import numpy as np

#: the 17 scales 2^(k/4), k = -4..12, of MNIST Large Scale
SCALES = tuple(2 ** (k / 4) for k in range(-4, 13))


def log_uniform_scales(rng: np.random.RandomState, n: int, lo: float,
                       hi: float) -> np.ndarray:
    """``n`` scales drawn with ``rng`` uniformly in log in ``[lo, hi]``.

    Raises:
        ValueError: Not ``0 < lo <= hi``.
    """
    if not 0 < lo <= hi:
        raise ValueError(f'need 0 < lo <= hi, got {lo}, {hi}')
    return np.exp(rng.uniform(math.log(lo), math.log(hi), n))


def scale_tag(lo: float, hi: Optional[float] = None) -> str:
    """``1p000-4p000`` / ``0p500``: a scale range (``hi`` None or ``lo``:
    one scale) as the official names write it."""
    return '-'.join(f'{s:.3f}'.replace('.', 'p')
                    for s in ((lo, ) if hi is None or hi == lo else (lo, hi)))
