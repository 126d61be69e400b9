"""PyTorch's bicubic and area resizes as matrices, one axis at a time:
``A_h @ image @ A_w.T`` is the resize, and exports to any backend.
"""
import math

import numpy as np

#: PyTorch's cubic convolution coefficient
CUBIC_A = -0.75
MODES = ('bicubic', 'area')


def _cubic_weights(t: float) -> np.ndarray:
    """The four taps of PyTorch's cubic convolution at fraction ``t``."""
    a = CUBIC_A

    def near(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return np.array([far(t + 1), near(t), near(1 - t), far(2 - t)])


def resize_matrix(n_in: int, n_out: int, mode: str) -> np.ndarray:
    """Weights ``(n_out, n_in)`` of a 1-D ``'bicubic'`` or ``'area'``
    resize, as ``F.interpolate`` with ``align_corners=False``.

    Raises:
        ValueError: A length below 1 or an unknown mode.
    """
    if n_in < 1 or n_out < 1:
        raise ValueError(f'resize_matrix: lengths must be >= 1, got {n_in} '
                         f'-> {n_out}')
    if mode not in MODES:
        raise ValueError(f'resize_matrix: mode must be one of {MODES}, got '
                         f'{mode!r}')
    m = np.zeros((n_out, n_in), np.float64)
    scale = n_in / n_out
    for i in range(n_out):
        if mode == 'area':
            lo = math.floor(i * scale)
            hi = math.ceil((i + 1) * scale)
            m[i, lo:hi] = 1 / (hi - lo)
        else:
            real = scale * (i + 0.5) - 0.5
            base = math.floor(real)
            for k, w in enumerate(_cubic_weights(real - base)):
                m[i, min(max(base - 1 + k, 0), n_in - 1)] += w
    return m.astype(np.float32)
