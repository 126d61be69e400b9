"""Reading and validating the MNIST-family ``.npy`` arrays.

Every array is opened memory-mapped with ``allow_pickle=False``; a split is
converted chunk by chunk into compact ``uint8`` arrays, so even Kaggle's 2.4 GB
int64 one-hot ``segmented.npy`` is never held in memory as a whole.
"""
from typing import Hashable, Iterator, List, Optional, Sequence, Tuple

import numpy as np

#: Samples converted at a time (bounds the temporary memory of a conversion).
CHUNK = 64


class DataFileError(ValueError):
    """A data file is missing, unreadable or holds invalid values."""


def open_npy(path: str) -> np.ndarray:
    """Memory-map ``path`` as a plain (non-pickled) ``.npy`` array."""
    with open(path, 'rb') as f:
        magic = f.read(6)
    if magic != b'\x93NUMPY':
        kind = ('a pickle' if magic[:1] == b'\x80' else
                'an .npz archive' if magic[:2] == b'PK' else 'not .npy')
        raise DataFileError(f'{path}: is {kind}, expected one .npy array '
                            '(no NUMPY magic number)' if kind != 'not .npy'
                            else f'{path}: not a valid .npy array (no NUMPY '
                            'magic number)')
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


def _check_finite(path: str, chunk: np.ndarray, first: int) -> None:
    if chunk.dtype.kind == 'f' and not np.isfinite(chunk).all():
        bad = first + int(np.nonzero(~np.isfinite(chunk).reshape(
            len(chunk), -1).all(1))[0][0])
        raise DataFileError(f'{path}: sample {bad} holds NaN or inf')


def _first_bad(mask: np.ndarray, first: int) -> int:
    """Index (in the file) of the first sample whose ``mask`` has a True."""
    return first + int(np.nonzero(mask.reshape(len(mask), -1).any(1))[0][0])


def _chunks(arr: np.ndarray, start: int,
            stop: int) -> Iterator[Tuple[int, np.ndarray]]:
    """``(index of the first sample, samples)`` of ``[start, stop)``, read
    :data:`CHUNK` samples at a time."""
    for i in range(start, stop, CHUNK):
        yield i, np.asarray(arr[i:min(i + CHUNK, stop)])


def _check_range(path: str, chunk: np.ndarray, first: int, low: float,
                 high: float, what: str) -> None:
    """Refuse NaN/inf and values outside ``[low, high]`` (``what`` names
    them in the message)."""
    _check_finite(path, chunk, first)
    bad = (chunk < low) | (chunk > high)
    if bad.any():
        raise DataFileError(
            f'{path}: sample {_first_bad(bad, first)} has {what}')


def image_layout(path: str, arr: np.ndarray,
                 hw: Optional[Tuple[int, int]]) -> None:
    """Check that ``arr`` is ``(N, H, W)`` or ``(N, H, W, 1)`` images.

    Args:
        path: The file named in error messages.
        arr: The image array.
        hw: The expected ``(H, W)``; None for any.

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
    if hw is not None and tuple(arr.shape[1:3]) != tuple(hw):
        raise DataFileError(f'{path}: images are {arr.shape[1]}x{arr.shape[2]}'
                            f', expected {hw[0]}x{hw[1]} (shape {arr.shape})')


def images_to_uint8(path: str, arr: np.ndarray, start: int,
                    stop: int) -> np.ndarray:
    """Validated ``uint8`` copy of images ``[start, stop)`` (0-255).

    Args:
        path: The file named in error messages.
        arr: Images of any numeric dtype, holding 0-255 levels.
        start: First image converted.
        stop: End of the range (exclusive).

    Returns:
        ``uint8`` array of shape ``(stop - start, ) + arr.shape[1:]``.

    Raises:
        DataFileError: Values outside 0-255, NaN/inf or non-integer floats.
    """
    out = np.empty((stop - start, ) + arr.shape[1:], np.uint8)
    for i, chunk in _chunks(arr, start, stop):
        if chunk.dtype != np.uint8:
            _check_range(path, chunk, i, 0, 255,
                         'pixel values outside 0-255')
            if chunk.dtype.kind == 'f':
                frac = chunk != np.round(chunk)
                if frac.any():
                    raise DataFileError(
                        f'{path}: sample {_first_bad(frac, i)} has '
                        'non-integer pixel values (expected 0-255 levels)')
        out[i - start:i - start + len(chunk)] = chunk
    return out


def mask_layout(path: str, arr: np.ndarray, hw: Tuple[int, int],
                num_classes: int) -> str:
    """Check a mask array's shape; return ``'index'`` or ``'onehot'``.

    Args:
        path: The file named in error messages.
        arr: ``(N, H, W)`` integer class indices or ``(N, H, W, C)`` one-hot
            masks.
        hw: The images' ``(H, W)``, which the masks must match.
        num_classes: Classes including background (one-hot channels ``C``).

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
    if tuple(arr.shape[1:3]) != tuple(hw):
        raise DataFileError(f'{path}: masks are {arr.shape[1]}x{arr.shape[2]}'
                            f', expected {hw[0]}x{hw[1]} (shape {arr.shape})')
    return layout


def masks_to_index(path: str, arr: np.ndarray, start: int, stop: int,
                   num_classes: int) -> np.ndarray:
    """Validated ``uint8`` class-index maps of masks ``[start, stop)``.

    One-hot masks (any integer or float dtype) must hold only 0 and 1 and at
    least one class per pixel. A pixel with several classes (where the inks of
    two digits overlap) takes the lowest class index, as ``argmax`` does.

    Args:
        path: The file named in error messages.
        arr: Masks as checked by :func:`mask_layout`.
        start: First mask converted.
        stop: End of the range (exclusive).
        num_classes: Classes including background; indices must be below.

    Returns:
        ``uint8`` class indices of shape ``(stop - start, H, W)``.

    Raises:
        DataFileError: Indices outside ``0 .. num_classes - 1``, one-hot
            values other than 0 and 1, or pixels with no class set.
    """
    onehot = arr.ndim == 4  # the layout was checked by ``mask_layout``
    out = np.empty((stop - start, ) + arr.shape[1:3], np.uint8)
    for i in range(start, stop, CHUNK):
        chunk = np.asarray(arr[i:min(i + CHUNK, stop)])
        if not onehot:
            bad = (chunk < 0) | (chunk >= num_classes)
            if bad.any():
                raise DataFileError(
                    f'{path}: sample {_first_bad(bad, i)} has class indices '
                    f'outside 0-{num_classes - 1}')
            out[i - start:i - start + len(chunk)] = chunk
            continue
        _check_finite(path, chunk, i)
        on = chunk == 1
        bad = ~(on | (chunk == 0))
        if bad.any():
            raise DataFileError(
                f'{path}: sample {_first_bad(bad, i)} has one-hot values '
                'other than 0 and 1')
        any_on = on.any(axis=3)
        if not any_on.all():
            raise DataFileError(
                f'{path}: sample {_first_bad(~any_on, i)} has pixels with no '
                'class set in the one-hot mask')
        out[i - start:i - start + len(chunk)] = on.argmax(axis=3)
    return out


#: Digit channels an MNIST-extended target array holds at most.
MAX_DIGIT_CHANNELS = 10


def unit_images_to_uint8(path: str, arr: np.ndarray, start: int,
                         stop: int) -> np.ndarray:
    """``uint8`` copy of float images in [0, 1] ``[start, stop)`` (levels
    ``round(255 x)``); integer images are read as 0-255 levels.

    Args:
        path: The file named in error messages.
        arr: Float images in [0, 1], or integer ones (0-255).
        start: First image converted.
        stop: End of the range (exclusive).

    Returns:
        ``uint8`` array of shape ``(stop - start, ) + arr.shape[1:]``.

    Raises:
        DataFileError: Float values outside [0, 1] or NaN/inf (integer
            images: as :func:`images_to_uint8`).
    """
    if arr.dtype.kind != 'f':
        return images_to_uint8(path, arr, start, stop)
    out = np.empty((stop - start, ) + arr.shape[1:], np.uint8)
    for i, chunk in _chunks(arr, start, stop):
        _check_range(path, chunk, i, 0, 1,
                     'float pixel values outside [0, 1] (the MNIST-extended '
                     'layout; 0-255 levels need an integer dtype)')
        out[i - start:i - start + len(chunk)] = np.round(
            chunk.astype(np.float64) * 255)
    return out


def extended_mask_layout(path: str, arr: np.ndarray,
                         hw: Tuple[int, int]) -> None:
    """Check MNIST-extended targets: ``(N, H, W, C)``, one channel per
    digit 0 ... C-1 (C at most 10), no background channel.

    Args:
        path: The file named in error messages.
        arr: The target array.
        hw: The images' ``(H, W)``, which the targets must match.

    Raises:
        DataFileError: Not 4-D with 1-10 channels, or another size.
    """
    if arr.ndim != 4 or not 1 <= arr.shape[3] <= MAX_DIGIT_CHANNELS:
        raise DataFileError(
            f'{path}: MNIST-extended targets must be (N, H, W, C) with one '
            f'channel per digit, 1 <= C <= {MAX_DIGIT_CHANNELS} and no '
            f'background channel, got shape {arr.shape}')
    if tuple(arr.shape[1:3]) != tuple(hw):
        raise DataFileError(f'{path}: targets are {arr.shape[1]}x'
                            f'{arr.shape[2]}, the images {hw[0]}x{hw[1]}')


def extended_masks_to_index(path: str, arr: np.ndarray, start: int,
                            stop: int, background: int) -> np.ndarray:
    """Class-index maps (``uint8``) of MNIST-extended targets.

    Values are 0/1 (any dtype) or float intensities in [0, 1]. A pixel
    whose channels are all 0 is ``background``; otherwise it takes the
    digit of its largest value, the lowest digit on a tie (overlapping
    labels, as MNIST extended allows, are resolved that way).

    Args:
        path: The file named in error messages.
        arr: Targets as checked by :func:`extended_mask_layout`.
        start: First target converted.
        stop: End of the range (exclusive).
        background: Class index of pixels with no digit.

    Returns:
        ``uint8`` class indices of shape ``(stop - start, H, W)``.

    Raises:
        DataFileError: Values outside [0, 1] or NaN/inf.
    """
    out = np.empty((stop - start, ) + arr.shape[1:3], np.uint8)
    for i, chunk in _chunks(arr, start, stop):
        _check_range(path, chunk, i, 0, 1,
                     'target values outside [0, 1] (expected 0/1 or '
                     'intensities in [0, 1])')
        index = chunk.argmax(axis=3).astype(np.uint8)
        index[chunk.max(axis=3) == 0] = background
        out[i - start:i - start + len(chunk)] = index
    return out


def batches_by_shape(shapes: Sequence[Hashable],
                     batch_size: Optional[int] = None) -> Iterator[List[int]]:
    """Indices of items of one shape, batched: models run one size a batch.

    Args:
        shapes: Each item's shape (any hashable key).
        batch_size: Most indices per batch (``None``: all of a shape).

    Yields:
        Lists of indices, the shapes in their first-seen order.
    """
    for shape in dict.fromkeys(shapes):
        idx = [i for i, s in enumerate(shapes) if s == shape]
        step = batch_size or len(idx)
        for b in range(0, len(idx), step):
            yield idx[b:b + step]
