"""Digit instances (class + ink box) derived from an M2NIST class mask.

The rule's three steps (components, merging close ones, cutting groups
wider than a digit) and its accuracy: ``docs/detection.md``. Boxes are
``(x1, y1, x2, y2)`` with exclusive ``x2``/``y2``, tight around the ink.
"""
from typing import List, Tuple

import cv2
import numpy as np

from .classes import BACKGROUND

#: One derived instance: (class index, (x1, y1, x2, y2)).
Instance = Tuple[int, Tuple[int, int, int, int]]


def box_of(ys: np.ndarray, xs: np.ndarray) -> Tuple[int, int, int, int]:
    """Tight box ``(x1, y1, x2, y2)`` (``x2``/``y2`` exclusive) around a
    non-empty set of pixels at rows ``ys``, columns ``xs``."""
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def _gap(a: tuple, b: tuple) -> int:
    """Chebyshev distance between two boxes (0 when they touch/overlap)."""
    return max(0, max(a[0], b[0]) - min(a[2], b[2]),
               max(a[1], b[1]) - min(a[3], b[3]))


def _union(a: tuple, b: tuple) -> tuple:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]),
            max(a[3], b[3]))


def merge_close(boxes: List[tuple], comps: List[List[int]], size: int,
                max_gap: int) -> List[List[int]]:
    """Component labels of the groups (``boxes``, labels ``comps``) merged
    closest pair first while at most ``max_gap`` apart and fitting in a
    ``size`` square."""
    boxes, comps = list(boxes), [list(c) for c in comps]
    while True:
        best = None
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                u = _union(boxes[i], boxes[j])
                gap = _gap(boxes[i], boxes[j])
                if (gap <= max_gap and u[2] - u[0] <= size
                        and u[3] - u[1] <= size
                        and (best is None or gap < best[0])):
                    best = (gap, i, j, u)
        if best is None:
            return comps
        _, i, j, u = best
        boxes[i], comps[i] = u, comps[i] + comps[j]
        del boxes[j], comps[j]


def _split(ys: np.ndarray, xs: np.ndarray,
           size: int) -> List[Tuple[np.ndarray, np.ndarray]]:
    """Cut pixel set ``(ys, xs)`` into parts at most ``size`` long."""
    x1, y1, x2, y2 = box_of(ys, xs)
    if x2 - x1 <= size and y2 - y1 <= size:
        return [(ys, xs)]
    axis = xs if x2 - x1 - size >= y2 - y1 - size else ys
    lo = int(axis.min())
    length = int(axis.max()) + 1 - lo
    counts = np.bincount(axis - lo, minlength=length)
    # cut before line k: the first part [lo, k) is at most `size` long and
    # both parts keep ink; least ink on the cut line, earliest on ties
    cuts = np.arange(max(1, length - size), min(size, length - 1) + 1)
    if len(cuts) == 0:  # longer than two digits: take a full first part
        cuts = np.array([size])
    k = lo + int(cuts[np.argmin(counts[cuts])])
    first = axis < k
    return (_split(ys[first], xs[first], size) +
            _split(ys[~first], xs[~first], size))


def derive_instances(mask: np.ndarray,
                     digit_size: int = 28,
                     max_gap: int = 10) -> List[Instance]:
    """Digit instances of one ``(H, W)`` class-index mask, left to right.

    Args:
        mask: Class-index map, 0-9 digit, 10 background.
        digit_size: Largest side of one digit's ink (MNIST blocks: 28).
        max_gap: Largest gap (pixels) between two strokes of one digit.

    Returns:
        ``(class, (x1, y1, x2, y2))`` per instance, sorted by ``x1``.

    Raises:
        ValueError: Not a 2-D map of digits and background.
    """
    if mask.ndim != 2:
        raise ValueError(f'derive_instances: expected an (H, W) mask, got '
                         f'shape {mask.shape}')
    instances = []
    for cls in np.unique(mask):
        if cls == BACKGROUND:
            continue
        if not 0 <= cls < BACKGROUND:
            raise ValueError(f'derive_instances: class {cls} is not a digit '
                             f'(0-9) or background ({BACKGROUND})')
        n, labels, stats, _ = cv2.connectedComponentsWithStats(
            (mask == cls).astype(np.uint8), connectivity=8)
        boxes = [(x, y, x + w, y + h) for x, y, w, h, _ in stats[1:]]
        for group in merge_close(boxes, [[i + 1] for i in range(n - 1)],
                                 digit_size, max_gap):
            ys, xs = np.nonzero(np.isin(labels, group))
            for part in _split(ys, xs, digit_size):
                instances.append((int(cls), box_of(*part)))
    return sorted(instances, key=lambda inst: (inst[1][0], inst[1][1]))
