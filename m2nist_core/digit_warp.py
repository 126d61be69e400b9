"""Random per-digit distortions of an image and its mask, the labels kept
exact: each digit (a connected region of one class) gets its own affine
map and optionally an elastic field (Simard et al., 2003); where two
overlap, the brighter ink wins.
"""
from typing import Tuple

import cv2
import numpy as np

from .classes import BACKGROUND


def random_affine(rng: np.random.RandomState, center: Tuple[float, float],
                  max_rotate: float, scale_range: Tuple[float, float],
                  max_shear: float) -> np.ndarray:
    """A random ``float32`` 2x3 affine map fixing ``center`` ``(x, y)``
    (arguments as :func:`warp_digits`')."""
    angle = np.deg2rad(rng.uniform(-max_rotate, max_rotate))
    scale = rng.uniform(*scale_range)
    shear = rng.uniform(-max_shear, max_shear)
    cos, sin = np.cos(angle) * scale, np.sin(angle) * scale
    linear = np.array([[cos, -sin], [sin, cos]]) @ np.array([[1, shear],
                                                             [0, 1]])
    c = np.asarray(center, dtype=np.float64)
    return np.hstack([linear, (c - linear @ c)[:, None]]).astype(np.float32)


def elastic(rng: np.random.RandomState, patch: np.ndarray, alpha: float,
            sigma: float) -> np.ndarray:
    """``patch`` displaced by a smooth random field (``alpha`` pixels at
    most before smoothing with a Gaussian of ``sigma`` pixels)."""
    h, w = patch.shape
    field = [
        cv2.GaussianBlur(rng.uniform(-1, 1, (h, w)).astype(np.float32),
                         (0, 0), sigma) * alpha for _ in range(2)
    ]
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32),
                         np.arange(h, dtype=np.float32))
    return cv2.remap(patch, xs + field[0], ys + field[1], cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def warp_digits(img: np.ndarray,
                mask: np.ndarray,
                rng: np.random.RandomState,
                max_rotate: float = 15.0,
                scale_range: Tuple[float, float] = (0.85, 1.15),
                max_shear: float = 0.25,
                elastic_alpha: float = 0.0,
                elastic_sigma: float = 4.0,
                background: int = BACKGROUND) -> Tuple[np.ndarray, np.ndarray]:
    """Distort every digit of ``img`` / ``mask`` on its own.

    Args:
        img: A grey ``uint8`` image ``(H, W)``, 0 where there is no ink.
        mask: Its class-index mask ``(H, W)``.
        rng: The random generator.
        max_rotate: Largest rotation of a digit (degrees, either way).
        scale_range: ``(low, high)`` of a digit's scale factor.
        max_shear: Largest horizontal shear of a digit, either way.
        elastic_alpha: Strength of the elastic field (0: none), pixels.
        elastic_sigma: Smoothness of the elastic field, pixels.
        background: The background class of ``mask``.

    Returns:
        The distorted image and mask, of the inputs' shapes and dtypes;
        the mask is ``background`` exactly where the image is 0.

    Raises:
        ValueError: ``img`` is not a 2-D ``uint8`` array of ``mask``'s shape.
    """
    if img.ndim != 2 or img.dtype != np.uint8 or img.shape != mask.shape:
        raise ValueError(
            'warp_digits: expected a (H, W) uint8 image and a mask of the '
            f'same shape, got {img.dtype} {img.shape} and mask {mask.shape}')
    h, w = img.shape
    out_img = np.zeros_like(img)
    out_mask = np.full_like(mask, background)
    for cls in np.unique(mask):
        if cls == background:
            continue
        count, regions = cv2.connectedComponents(
            (mask == cls).astype(np.uint8), connectivity=8)
        for region in range(1, count):
            ys, xs = np.nonzero(regions == region)
            # room for the digit to grow by rotation and scale
            margin = int(0.5 * max(np.ptp(ys), np.ptp(xs))) + 2
            y0, x0 = max(ys.min() - margin, 0), max(xs.min() - margin, 0)
            y1 = min(ys.max() + margin + 1, h)
            x1 = min(xs.max() + margin + 1, w)
            patch = np.where(regions[y0:y1, x0:x1] == region,
                             img[y0:y1, x0:x1], 0).astype(np.uint8)
            center = ((xs.mean() - x0), (ys.mean() - y0))
            matrix = random_affine(rng, center, max_rotate, scale_range,
                                   max_shear)
            patch = cv2.warpAffine(patch, matrix, patch.shape[::-1],
                                   flags=cv2.INTER_LINEAR,
                                   borderMode=cv2.BORDER_CONSTANT,
                                   borderValue=0)
            if elastic_alpha > 0:
                patch = elastic(rng, patch, elastic_alpha, elastic_sigma)
            window = out_img[y0:y1, x0:x1]
            wins = patch > window
            window[wins] = patch[wins]
            out_mask[y0:y1, x0:x1][wins] = cls
    return out_img, out_mask
