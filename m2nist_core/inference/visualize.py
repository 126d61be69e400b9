"""Predictions as PNGs: colour masks, overlays, boxes drawn on the image."""
from typing import Dict

import cv2
import numpy as np

from ..classes import BACKGROUND, PALETTE


def colorize(label: np.ndarray) -> np.ndarray:
    """``(H, W, 3)`` BGR image with each class in its palette colour."""
    palette = np.array(PALETTE, np.uint8)[:, ::-1]
    return palette[label]


def overlay(img: np.ndarray, label: np.ndarray,
            alpha: float = 0.6) -> np.ndarray:
    """Digit pixels tinted with their class colour over the grey image.

    Args:
        img: Grey ``(H, W)`` image.
        label: ``(H, W)`` class indices, background 10.
        alpha: Weight of the class colour on a digit pixel (0 to 1).

    Returns:
        ``(H, W, 3)`` ``uint8`` BGR image.
    """
    base = np.repeat(img[..., None], 3, axis=2).astype(np.float32)
    tint = colorize(label).astype(np.float32)
    digit = (label != BACKGROUND)[..., None]
    out = np.where(digit, (1 - alpha) * base + alpha * tint, base)
    return out.round().astype(np.uint8)


def digits_found(label: np.ndarray, min_pixels: int = 1) -> Dict[int, int]:
    """``{digit: pixel count}`` of the digit classes present in ``label``.

    Args:
        label: Class index map (non-negative ints, background 10).
        min_pixels: Fewest pixels for a digit to be listed.

    Returns:
        Pixel count per digit with at least ``min_pixels`` pixels.
    """
    counts = np.bincount(label.ravel(), minlength=BACKGROUND + 1)
    return {d: int(n) for d, n in enumerate(counts[:BACKGROUND])
            if n >= min_pixels}


def draw_detections(img: np.ndarray, dets: Dict[str, np.ndarray],
                    scale: int = 4) -> np.ndarray:
    """The image (grey or BGR) enlarged ``scale`` times (nearest), with each
    box in its class colour, labelled ``digit score`` (``digit`` when
    ``dets`` has no scores: ground truth).

    Args:
        img: Grey ``(H, W)`` or BGR ``(H, W, 3)`` ``uint8`` image.
        dets: ``bboxes`` ``(K, 4)`` ``x1, y1, x2, y2`` in ``img``'s pixels,
            ``labels`` ``(K,)`` digits and, optionally, ``scores`` ``(K,)``.
        scale: Enlargement factor.

    Returns:
        BGR image of ``scale`` times ``img``'s size.
    """
    out = cv2.resize(img, None, fx=scale, fy=scale,
                     interpolation=cv2.INTER_NEAREST)
    if out.ndim == 2:
        out = cv2.cvtColor(out, cv2.COLOR_GRAY2BGR)
    scores = dets.get('scores')
    for k, (box, label) in enumerate(zip(dets['bboxes'], dets['labels'])):
        colour = tuple(int(c) for c in PALETTE[int(label)][::-1])
        x1, y1, x2, y2 = (np.asarray(box) * scale).round().astype(int)
        cv2.rectangle(out, (x1, y1), (x2 - 1, y2 - 1), colour, 1)
        text = f'{int(label)}' if scores is None else \
            f'{int(label)} {scores[k]:.2f}'
        cv2.putText(out, text, (x1, max(y1 - 3, 9)),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.35, colour, 1, cv2.LINE_AA)
    return out
