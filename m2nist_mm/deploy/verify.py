"""How well an exported segmentor matches PyTorch."""
from typing import Sequence

import numpy as np


def agreement(preds: Sequence[np.ndarray],
              refs: Sequence[np.ndarray]) -> float:
    """Percentage of pixels with the same class in both.

    Args:
        preds: Class maps of an export.
        refs: The PyTorch class maps of the same images.

    Returns:
        The agreement in % of all pixels.
    """
    same = sum(int((p == r).sum()) for p, r in zip(preds, refs))
    return 100.0 * same / sum(r.size for r in refs)
