"""Reading and validating the MNIST-family ``.npy`` arrays (layouts:
``docs/data.md``), memory-mapped and converted chunk by chunk.

``path`` is the file named in error messages; converters convert samples
``[start, stop)`` and name the first bad one.
"""
from typing import (Callable, Hashable, Iterator, List, Optional, Sequence,
                    Tuple)

import numpy as np

#: Samples converted at a time (bounds the temporary memory of a conversion).
CHUNK = 64
#: Digit channels an MNIST-extended target array holds at most.
MAX_DIGIT_CHANNELS = 10
#: ``refuse(bad, what)``: raise, naming the first sample with a ``bad`` value.
Refuse = Callable[[np.ndarray, str], None]


class DataFileError(ValueError):
    """A data file is missing, unreadable or holds invalid values."""


def open_npy(path: str) -> np.ndarray:
    """Memory-map ``path`` as a plain (non-pickled) numeric ``.npy`` array."""
    with open(path, 'rb') as f:
        magic = f.read(6)
    if magic != b'\x93NUMPY':
        kind = ('a pickle' if magic[:1] == b'\x80' else
                'an .npz archive' if magic[:2] == b'PK' else None)
        raise DataFileError(
            f'{path}: is {kind}, expected one .npy array (no NUMPY magic '
            'number)' if kind else
            f'{path}: not a valid .npy array (no NUMPY magic number)')
    try:
        arr = np.load(path, mmap_mode='r', allow_pickle=False)
    except ValueError as e:
        if 'Python objects' in str(e) or 'pickle' in str(e):
            raise DataFileError(
                f'{path}: holds a pickled (object) array; only plain numeric '
                '.npy arrays are read (pickles can run code)') from e
        raise DataFileError(
            f'{path}: not a valid .npy array or truncated ({e})') from e
    except (OSError, EOFError) as e:
        raise DataFileError(f'{path}: cannot be read as .npy ({e})') from e
    if arr.dtype.kind not in 'biuf':
        raise DataFileError(f'{path}: dtype {arr.dtype} is not numeric')
    return arr


def _convert(path: str, arr: np.ndarray, start: int, stop: int,
             shape: Sequence[int],
             convert: Callable[[np.ndarray, Refuse], np.ndarray]
             ) -> np.ndarray:
    """``uint8`` ``(stop - start, *shape)`` array of ``convert(chunk,
    refuse)`` over :data:`CHUNK` samples of ``arr`` at a time."""
    out = np.empty((stop - start, ) + tuple(shape), np.uint8)
    for i in range(start, stop, CHUNK):
        chunk = np.asarray(arr[i:min(i + CHUNK, stop)])

        def refuse(bad: np.ndarray, what: str) -> None:
            if bad.any():
                first = np.nonzero(bad.reshape(len(bad), -1).any(1))[0][0]
                raise DataFileError(f'{path}: sample {i + int(first)} {what}')

        out[i - start:i - start + len(chunk)] = convert(chunk, refuse)
    return out


def _finite(chunk: np.ndarray, refuse: Refuse) -> None:
    if chunk.dtype.kind == 'f':
        refuse(~np.isfinite(chunk), 'holds NaN or inf')


def _in_range(chunk: np.ndarray, refuse: Refuse, low: float, high: float,
              what: str) -> None:
    """Refuse NaN/inf and values outside ``[low, high]`` (``what``)."""
    _finite(chunk, refuse)
    refuse((chunk < low) | (chunk > high), f'has {what}')


def _check_size(path: str, arr: np.ndarray, hw: Tuple[int, int],
                what: str) -> None:
    if tuple(arr.shape[1:3]) != tuple(hw):
        raise DataFileError(f'{path}: {what} are {arr.shape[1]}x'
                            f'{arr.shape[2]}, expected {hw[0]}x{hw[1]} '
                            f'(shape {arr.shape})')


def image_layout(path: str, arr: np.ndarray,
                 hw: Optional[Tuple[int, int]]) -> None:
    """Check ``arr`` is ``(N, H, W[, 1])`` images of size ``hw`` (None: any).

    Raises:
        DataFileError: Another rank, channel count or image size.
    """
    if arr.ndim == 4 and arr.shape[3] != 1:
        raise DataFileError(
            f'{path}: images have {arr.shape[3]} channels, expected 1 '
            f'(shape {arr.shape})')
    if arr.ndim not in (3, 4):
        size = 'H, W' if hw is None else f'{hw[0]}, {hw[1]}'
        raise DataFileError(f'{path}: expected images of shape (N, {size}) '
                            f'or (N, {size}, 1), got {arr.shape}')
    if hw is not None:
        _check_size(path, arr, hw, 'images')


def images_to_uint8(path: str, arr: np.ndarray, start: int,
                    stop: int) -> np.ndarray:
    """Validated ``uint8`` copy of images (0-255 levels, any numeric dtype).

    Raises:
        DataFileError: Values outside 0-255, NaN/inf or non-integer floats.
    """

    def convert(chunk: np.ndarray, refuse: Refuse) -> np.ndarray:
        if chunk.dtype != np.uint8:
            _in_range(chunk, refuse, 0, 255, 'pixel values outside 0-255')
            if chunk.dtype.kind == 'f':
                refuse(chunk != np.round(chunk), 'has non-integer pixel '
                       'values (expected 0-255 levels)')
        return chunk

    return _convert(path, arr, start, stop, arr.shape[1:], convert)


def mask_layout(path: str, arr: np.ndarray, hw: Tuple[int, int],
                num_classes: int) -> str:
    """Check ``arr`` is ``(N, H, W)`` integer class indices or ``(N, H, W,
    num_classes)`` one-hot masks (background included) of the images' ``hw``.

    Returns:
        ``'index'`` for ``(N, H, W)`` masks, ``'onehot'`` for 4-D ones.

    Raises:
        DataFileError: Another rank or size, a non-integer index map, or a
            channel count other than ``num_classes``.
    """
    if arr.ndim == 3:
        if arr.dtype.kind not in 'iub':
            raise DataFileError(
                f'{path}: a class-index map must have an integer dtype, got '
                f'{arr.dtype}')
        layout = 'index'
    elif arr.ndim == 4:
        if arr.shape[3] != num_classes:
            raise DataFileError(
                f'{path}: one-hot masks have {arr.shape[3]} channels, '
                f'expected {num_classes} (shape {arr.shape})')
        layout = 'onehot'
    else:
        raise DataFileError(
            f'{path}: expected masks of shape (N, {hw[0]}, {hw[1]}) or '
            f'(N, {hw[0]}, {hw[1]}, {num_classes}), got {arr.shape}')
    _check_size(path, arr, hw, 'masks')
    return layout


def masks_to_index(path: str, arr: np.ndarray, start: int, stop: int,
                   num_classes: int) -> np.ndarray:
    """Validated ``uint8`` class-index maps of masks checked by
    :func:`mask_layout`; a one-hot pixel with several classes takes the
    lowest.

    Raises:
        DataFileError: Indices outside ``0 .. num_classes - 1``, one-hot
            values other than 0 and 1, or pixels with no class set.
    """

    def convert(chunk: np.ndarray, refuse: Refuse) -> np.ndarray:
        if arr.ndim == 3:
            refuse((chunk < 0) | (chunk >= num_classes),
                   f'has class indices outside 0-{num_classes - 1}')
            return chunk
        _finite(chunk, refuse)
        on = chunk == 1
        refuse(~(on | (chunk == 0)), 'has one-hot values other than 0 and 1')
        refuse(~on.any(axis=3),
               'has pixels with no class set in the one-hot mask')
        return on.argmax(axis=3)

    return _convert(path, arr, start, stop, arr.shape[1:3], convert)


def unit_images_to_uint8(path: str, arr: np.ndarray, start: int,
                         stop: int) -> np.ndarray:
    """``uint8`` copy of float images in [0, 1] (levels ``round(255 x)``);
    integer images are read as 0-255 levels (:func:`images_to_uint8`).

    Raises:
        DataFileError: Float values outside [0, 1] or NaN/inf.
    """
    if arr.dtype.kind != 'f':
        return images_to_uint8(path, arr, start, stop)

    def convert(chunk: np.ndarray, refuse: Refuse) -> np.ndarray:
        _in_range(chunk, refuse, 0, 1,
                  'float pixel values outside [0, 1] (the MNIST-extended '
                  'layout; 0-255 levels need an integer dtype)')
        return np.round(chunk.astype(np.float64) * 255)

    return _convert(path, arr, start, stop, arr.shape[1:], convert)


def extended_mask_layout(path: str, arr: np.ndarray,
                         hw: Tuple[int, int]) -> None:
    """Check MNIST-extended targets: ``(N, H, W, C)``, 1-10 digit channels,
    no background channel, the images' ``hw``.

    Raises:
        DataFileError: Not 4-D with 1-10 channels, or another size.
    """
    if arr.ndim != 4 or not 1 <= arr.shape[3] <= MAX_DIGIT_CHANNELS:
        raise DataFileError(
            f'{path}: MNIST-extended targets must be (N, H, W, C) with one '
            f'channel per digit, 1 <= C <= {MAX_DIGIT_CHANNELS} and no '
            f'background channel, got shape {arr.shape}')
    _check_size(path, arr, hw, 'targets')


def extended_masks_to_index(path: str, arr: np.ndarray, start: int,
                            stop: int, background: int) -> np.ndarray:
    """Class-index maps (``uint8``) of MNIST-extended targets (0/1 or
    intensities in [0, 1]): all-0 pixels are ``background``, others the
    digit of their largest value, the lowest on a tie.

    Raises:
        DataFileError: Values outside [0, 1] or NaN/inf.
    """

    def convert(chunk: np.ndarray, refuse: Refuse) -> np.ndarray:
        _in_range(chunk, refuse, 0, 1, 'target values outside [0, 1] '
                  '(expected 0/1 or intensities in [0, 1])')
        index = chunk.argmax(axis=3).astype(np.uint8)
        index[chunk.max(axis=3) == 0] = background
        return index

    return _convert(path, arr, start, stop, arr.shape[1:3], convert)


def batches_by_shape(shapes: Sequence[Hashable],
                     batch_size: Optional[int] = None) -> Iterator[List[int]]:
    """Lists of indices of items of one shape (any hashable key), at most
    ``batch_size`` each (None: all of a shape), shapes in first-seen order.
    """
    for shape in dict.fromkeys(shapes):
        idx = [i for i, s in enumerate(shapes) if s == shape]
        step = batch_size or len(idx)
        for b in range(0, len(idx), step):
            yield idx[b:b + step]
