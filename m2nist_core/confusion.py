"""Pixel confusion between the M2NIST classes and what follows from it."""
from typing import Iterable

import numpy as np

from .classes import CLASSES


def confusion(truths: Iterable[np.ndarray], preds: Iterable[np.ndarray],
              num_classes: int = len(CLASSES)) -> np.ndarray:
    """``int64`` pixel counts ``[true class, predicted class]`` over all
    images' class-index maps.

    Raises:
        ValueError: A prediction's shape differs from its truth's, or an
            index lies outside ``[0, num_classes)``.
    """
    out = np.zeros((num_classes, num_classes), np.int64)
    for k, (truth, pred) in enumerate(zip(truths, preds)):
        truth, pred = np.asarray(truth), np.asarray(pred)
        if truth.shape != pred.shape:
            raise ValueError(f'image {k}: prediction {pred.shape} and truth '
                             f'{truth.shape} differ in shape')
        for name, arr in (('truth', truth), ('prediction', pred)):
            if arr.size and (arr.min() < 0 or arr.max() >= num_classes):
                raise ValueError(f'image {k}: {name} has class indices '
                                 f'outside 0-{num_classes - 1}')
        idx = truth.astype(np.int64).ravel() * num_classes + pred.ravel()
        out += np.bincount(idx, minlength=num_classes**2).reshape(
            num_classes, num_classes)
    return out


def class_iou(matrix: np.ndarray) -> np.ndarray:
    """Each class's IoU (%) from a confusion matrix; NaN for a class
    neither present nor predicted."""
    tp = np.diag(matrix).astype(np.float64)
    union = matrix.sum(0) + matrix.sum(1) - tp
    with np.errstate(invalid='ignore', divide='ignore'):
        return np.where(union > 0, 100 * tp / union, np.nan)


def row_normalised(matrix: np.ndarray) -> np.ndarray:
    """Each true class's row as percentages of its pixels (0 for a class
    with no pixels)."""
    rows = matrix.sum(1, keepdims=True).astype(np.float64)
    return np.divide(100 * matrix, rows, out=np.zeros(matrix.shape),
                     where=rows > 0)
