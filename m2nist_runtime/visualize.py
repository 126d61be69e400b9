"""Class index maps as PNGs: colour masks and overlays on the image."""
from typing import Dict

import numpy as np

from .classes import BACKGROUND, PALETTE


def colorize(label: np.ndarray) -> np.ndarray:
    """``(H, W, 3)`` BGR image with each class in its palette colour."""
    palette = np.array(PALETTE, np.uint8)[:, ::-1]
    return palette[label]


def overlay(img: np.ndarray, label: np.ndarray,
            alpha: float = 0.6) -> np.ndarray:
    """Digit pixels tinted with their class colour over the grey image."""
    base = np.repeat(img[..., None], 3, axis=2).astype(np.float32)
    tint = colorize(label).astype(np.float32)
    digit = (label != BACKGROUND)[..., None]
    out = np.where(digit, (1 - alpha) * base + alpha * tint, base)
    return out.round().astype(np.uint8)


def digits_found(label: np.ndarray, min_pixels: int = 1) -> Dict[int, int]:
    """``{digit: pixel count}`` of the digit classes present in ``label``."""
    counts = np.bincount(label.ravel(), minlength=BACKGROUND + 1)
    return {d: int(n) for d, n in enumerate(counts[:BACKGROUND])
            if n >= min_pixels}
