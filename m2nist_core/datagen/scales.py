"""Digit scales: the MNIST Large Scale set of 17, random draws, names."""
import math
from typing import Optional

import numpy as np

#: the 17 scales 2^(k/4), k = -4..12, of MNIST Large Scale
SCALES = tuple(2 ** (k / 4) for k in range(-4, 13))


def log_uniform_scales(rng: np.random.RandomState, n: int, lo: float,
                       hi: float) -> np.ndarray:
    """``n`` scales drawn uniformly in log between ``lo`` and ``hi``.

    Args:
        rng: The random stream.
        n: Number of scales.
        lo: Smallest scale, > 0.
        hi: Largest scale, at least ``lo``.

    Returns:
        ``(n,)`` float64 scales.

    Raises:
        ValueError: Not ``0 < lo <= hi``.
    """
    if not 0 < lo <= hi:
        raise ValueError(f'need 0 < lo <= hi, got {lo}, {hi}')
    return np.exp(rng.uniform(math.log(lo), math.log(hi), n))


def scale_tag(lo: float, hi: Optional[float] = None) -> str:
    """``1p000-4p000`` / ``0p500``: scales as the official names write them.

    Args:
        lo: The (smallest) scale.
        hi: The largest scale; None (or ``lo``) for one scale.

    Returns:
        The scales with three decimals, ``'.'`` as ``'p'``, joined by ``-``.
    """
    tag = '-'.join(f'{s:.3f}'.replace('.', 'p')
                   for s in ((lo, ) if hi is None or hi == lo else (lo, hi)))
    return tag
