"""MNIST Large Scale (Jansson & Lindeberg; zenodo 10.5281/zenodo.3820247):
its recipe and its HDF5 files. Layout, recipe and foreground rule:
``docs/data.md``, "Generators and readers".
"""
import os
import os.path as osp
from typing import Dict, Optional, Sequence, Tuple

import cv2
import numpy as np

from ..arrays import DataFileError
from ..classes import BACKGROUND
from .scales import scale_tag

SIZE = 112
SPLITS = ('train', 'val', 'test')


def soft_threshold(intensity: np.ndarray) -> np.ndarray:
    """The recipe's ``2/pi * arctan(0.02 * (I - 128))`` (float32)."""
    return (2 / np.pi * np.arctan(0.02 * (intensity - 128))).astype(
        np.float32)


def to_intensity(values: np.ndarray) -> np.ndarray:
    """Inverse of :func:`soft_threshold`, as ``uint8`` 0-255."""
    bound = np.nextafter(np.float32(1), np.float32(0))
    v = np.clip(values, -bound, bound).astype(np.float64)
    return np.clip(np.rint(128 + np.tan(v * np.pi / 2) / 0.02), 0,
                   255).astype(np.uint8)


def rescale(digit: np.ndarray, scale: float, size: int = SIZE) -> np.ndarray:
    """A square grey digit (0-255) rescaled by ``scale`` about its centre
    into ``size x size`` and smoothed (sigma ``7/8 * scale``): float32
    intensities before the soft threshold.

    Raises:
        ValueError: ``scale`` is not > 0.
    """
    if not scale > 0:
        raise ValueError(f'scale must be > 0, got {scale!r}')
    c_in, c_out = (digit.shape[1] - 1) / 2, (size - 1) / 2
    warp = np.float32([[scale, 0, c_out - scale * c_in],
                       [0, scale, c_out - scale * c_in]])
    out = cv2.warpAffine(digit.astype(np.float32), warp, (size, size),
                         flags=cv2.INTER_CUBIC,
                         borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    sigma = 7 / 8 * scale
    return cv2.GaussianBlur(out, (0, 0), sigmaX=sigma, sigmaY=sigma,
                            borderType=cv2.BORDER_CONSTANT)


def large_scale_images(digits: np.ndarray, scales: Sequence[float],
                       size: int = SIZE) -> np.ndarray:
    """``[n, size, size, 1]`` float32 values of the official files, in
    (-1, 1): each of ``digits`` rescaled by its scale, soft-thresholded."""
    out = np.empty((len(digits), size, size, 1), np.float32)
    for i, (digit, scale) in enumerate(zip(digits, scales)):
        out[i, ..., 0] = soft_threshold(rescale(digit, scale, size))
    return out


def official_name(counts: Dict[str, int], train_scales: Tuple[float, float],
                  test_scales: Tuple[float, float]) -> str:
    """The official file name for images per split (a missing or zero
    count left out) and ``(lo, hi)`` scale ranges, e.g.
    ``mnist_large_scale_te10000_outsize112-112_sctr1p000_scte0p500-8p000.h5``.
    """
    parts = [f'{p}{counts[s]}' for p, s in (('tr', 'train'), ('vl', 'val'),
                                            ('te', 'test')) if counts.get(s)]
    return (f'mnist_large_scale_{"_".join(parts)}_outsize{SIZE}-{SIZE}_'
            f'sctr{scale_tag(*train_scales)}_scte{scale_tag(*test_scales)}.h5')


def write_h5(path: str, splits: Dict[str, Tuple[np.ndarray, np.ndarray]],
             size: int = SIZE) -> None:
    """Write ``{split: (x, y)}`` (``x`` as :func:`large_scale_images`,
    ``y`` labels) in the official layout, through ``<path>.partial``; a
    missing or empty split gets one dummy sample, as the official test-only
    files do.

    Raises:
        ValueError: An unknown split.
        OSError: The file cannot be written.
    """
    import h5py
    unknown = set(splits) - set(SPLITS)
    if unknown:
        raise ValueError(f'write_h5: unknown split(s) {sorted(unknown)}')
    tmp = path + '.partial'
    try:
        with h5py.File(tmp, 'w') as f:
            for split in SPLITS:
                x, y = splits.get(split, (None, None))
                if x is None or not len(x):
                    x = np.full((1, size, size, 1), soft_threshold(0.0),
                                np.float32)
                    y = np.zeros(1, np.int64)
                f.create_dataset(f'x_{split}', data=x)
                f.create_dataset(f'y_{split}', data=np.asarray(y))
    except OSError as e:
        if osp.exists(tmp):
            os.remove(tmp)
        raise OSError(f'cannot write {path}: {e}') from e
    os.replace(tmp, path)


def _dataset(f, path: str, name: str):
    if name not in f:
        raise DataFileError(f'{path}: no /{name} (holds {sorted(f.keys())})')
    return f[name]


def read_large_scale(path: str, split: str,
                     index_range: Optional[Tuple[int, int]] = None,
                     chunk: int = 1000
                     ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One split of an official file as ``uint8`` images (intensities
    before the soft threshold), masks (the label where the stored value is
    > 0, else 10) and labels, read ``chunk`` images at a time.

    Returns:
        ``(images, masks, labels)``: ``uint8`` ``(n, H, H)`` twice and
        ``int64`` ``(n,)``, for ``index_range`` (None: all) of ``split``.

    Raises:
        ValueError: An unknown split.
        FileNotFoundError: ``path`` does not exist.
        DataFileError: Not a readable HDF5 file, a missing dataset, shapes
            or labels that do not match, ``index_range`` outside the split,
            or values outside (-1, 1).
    """
    import h5py
    if split not in SPLITS:
        raise ValueError(f'unknown split {split!r}, expected one of {SPLITS}')
    if not osp.isfile(path):
        raise FileNotFoundError(f'MNIST Large Scale file not found: {path}')
    try:
        with h5py.File(path, 'r') as f:
            x = _dataset(f, path, f'x_{split}')
            y = np.asarray(_dataset(f, path, f'y_{split}')).reshape(-1)
            single = x.ndim == 3  # one sample stored without its axis
            shape = (1, ) + x.shape if single else x.shape
            if len(shape) != 4 or shape[3] != 1 or shape[1] != shape[2]:
                raise DataFileError(f'{path}: /x_{split} has shape '
                                    f'{x.shape}, expected [n, H, H, 1]')
            if len(y) != shape[0]:
                raise DataFileError(
                    f'{path}: {shape[0]} images in /x_{split} but {len(y)} '
                    f'labels in /y_{split}')
            if not (np.issubdtype(y.dtype, np.number)
                    and np.isin(y, np.arange(10)).all()):
                raise DataFileError(f'{path}: /y_{split} holds labels '
                                    'other than 0-9')
            start, stop = index_range or (0, shape[0])
            if not 0 <= start < stop <= shape[0]:
                raise DataFileError(f'{path}: index_range {index_range} '
                                    f'outside its {shape[0]} {split} images')
            imgs = np.empty((stop - start, ) + shape[1:3], np.uint8)
            masks = np.empty_like(imgs)
            for a in range(start, stop, chunk):
                b = min(a + chunk, stop)
                v = (np.asarray(x, np.float32)[None] if single else
                     np.asarray(x[a:b], np.float32))[..., 0]
                if not np.isfinite(v).all() or np.abs(v).max() >= 1:
                    raise DataFileError(
                        f'{path}: /x_{split} values outside (-1, 1) in '
                        f'images {a}-{b - 1}: not soft-thresholded images')
                imgs[a - start:b - start] = to_intensity(v)
                masks[a - start:b - start] = np.where(
                    v > 0, y[a:b, None, None], BACKGROUND)
    except OSError as e:  # not HDF5, truncated
        raise DataFileError(f'{path}: not a readable HDF5 file ({e})') from e
    return imgs, masks, y[start:stop].astype(np.int64)
