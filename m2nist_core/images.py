"""Reading digit images (``.npy``, PNG, JPG), making them grey and
M2NIST-like (light digits on a black background)."""
import os
import os.path as osp
from typing import List, Tuple

import cv2
import numpy as np

from .arrays import DataFileError, images_to_uint8, open_npy

IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg', '.bmp')


def _check_channels(path: str, arr: np.ndarray, batched: bool) -> None:
    shape = arr.shape[1:] if batched else arr.shape
    if len(shape) == 2 or (len(shape) == 3 and shape[2] in (1, 3)):
        return
    what = 'a batch, (N, H, W) or (N, H, W, 1|3),' if batched else \
        'one image, (H, W) or (H, W, 1|3),'
    raise DataFileError(f'{path}: expected {what} got shape {arr.shape}')


def composite_alpha(img: np.ndarray) -> np.ndarray:
    """Grey + alpha or BGRA ``uint8`` image -> grey or BGR, composited on
    white when the opaque pixels are dark, else on black."""
    colour, alpha = img[..., :-1], img[..., -1:].astype(np.float32) / 255
    opaque = alpha[..., 0] > 0.5
    level = float(colour[opaque].mean()) if opaque.any() else 0.0
    background = 255.0 if level < 128 else 0.0
    out = colour.astype(np.float32) * alpha + background * (1 - alpha)
    out = np.round(out).astype(np.uint8)
    return out[..., 0] if out.shape[2] == 1 else out


def read_image(path: str) -> np.ndarray:
    """One ``uint8`` image from ``.npy`` (2-D, or H x W x 1/3) or an image
    file (:func:`decode_image`)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'image not found: {path}')
    if path.lower().endswith('.npy'):
        arr = open_npy(path)
        _check_channels(path, arr, batched=False)
        return images_to_uint8(path, arr[None], 0, 1)[0]
    with open(path, 'rb') as f:
        return decode_image(f.read(), path)


def decode_image(data: bytes, name: str = 'image') -> np.ndarray:
    """One ``uint8`` image (BGR or grey) from the bytes of an image file;
    16-bit scaled to 8, alpha composited (:func:`composite_alpha`).

    Raises:
        DataFileError: Not an image OpenCV decodes, or of an unsupported
            depth or channel count (``name`` starts the message).
    """
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED) \
        if data else None
    if img is None:
        raise DataFileError(f'{name}: cannot be decoded as an image')
    if img.dtype == np.uint16:
        img = ((img.astype(np.uint32) * 255 + 32767) // 65535).astype(
            np.uint8)
    if img.dtype != np.uint8:
        raise DataFileError(f'{name}: {img.dtype} pixels, expected 8- or '
                            '16-bit')
    if img.ndim == 3 and img.shape[2] in (2, 4):
        img = composite_alpha(img)
    _check_channels(name, img, batched=False)
    return img


#: Background levels (the image's median) that ``'auto'`` polarity takes
#: for a dark (at most the first) or a light (at least the second) one.
DARK_BACKGROUND, LIGHT_BACKGROUND = 96, 160
#: The least difference between the 1st and 99.9th percentile grey levels
#: of an image with digits.
MIN_CONTRAST = 64


def m2nist_polarity(img: np.ndarray,
                    invert: str = 'auto',
                    name: str = 'image') -> Tuple[np.ndarray, str]:
    """A grey image as M2NIST draws digits: light ink on a black background.

    Args:
        img: The grey image.
        invert: ``'no'``: as given; ``'yes'``: inverted; ``'auto'``:
            inverted when the median grey level is at least
            ``LIGHT_BACKGROUND``, kept when at most ``DARK_BACKGROUND``.
            With ``'yes'`` and ``'auto'`` the background level is then
            subtracted.
        name: The image, in error messages.

    Returns:
        The image and what was done, in words.

    Raises:
        ValueError: An unknown ``invert``, or with ``'auto'`` an image
            without contrast or with a background between the two levels.
    """
    if invert not in ('auto', 'yes', 'no'):
        raise ValueError(f"invert must be 'auto', 'yes' or 'no', got "
                         f'{invert!r}')
    if invert == 'no':
        return img, 'used as given'
    if invert == 'auto':
        background = float(np.median(img))
        low, high = np.percentile(img, [1, 99.9])
        if high - low < MIN_CONTRAST or \
                DARK_BACKGROUND < background < LIGHT_BACKGROUND:
            raise ValueError(
                f'{name}: neither light digits on a dark background nor '
                f'dark digits on a light one (background grey level '
                f'{background:.0f}, contrast {high - low:.0f}); pass '
                '--invert yes or --invert no')
        invert = 'yes' if background >= LIGHT_BACKGROUND else 'no'
    done = []
    if invert == 'yes':
        img = 255 - img
        done.append('inverted (dark digits on a light background)')
    background = int(np.median(img))
    if background > 0:
        img = np.clip(img.astype(np.int16) - background, 0,
                      255).astype(np.uint8)
        done.append(f'background level {background} subtracted')
    return img, '; '.join(done) or 'kept (light digits on black)'


def to_gray(img: np.ndarray, name: str = 'image') -> np.ndarray:
    """``(H, W)`` grey image from a grey, ``(H, W, 1)`` or BGR image
    (OpenCV's luma weights).

    Raises:
        ValueError: ``img`` has another shape (``name`` starts the message).
    """
    if img.ndim == 3 and img.shape[2] == 1:
        return img[..., 0]
    if img.ndim == 3 and img.shape[2] == 3:
        return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    if img.ndim != 2:
        raise ValueError(f'{name}: expected a grey or BGR image, got shape '
                         f'{img.shape}')
    return img


def read_inputs(path: str) -> List[Tuple[str, str, np.ndarray]]:
    """``(name, source, grey uint8 image)`` for each image in ``path``.

    ``path`` is an image file, an ``.npy`` of one image or a batch ``(N, H,
    W[, 1|3])`` (named ``<stem>_<i>``, source ``<path>[i]``), or a
    directory of those (not recursive, sorted by name).
    """
    if not osp.exists(path):
        raise FileNotFoundError(f'input not found: {path}')
    if osp.isdir(path):
        files = sorted(
            f for f in os.listdir(path)
            if f.lower().endswith(IMAGE_SUFFIXES + ('.npy', )))
        if not files:
            raise DataFileError(f'{path}: no .npy or image files '
                                f'({", ".join(IMAGE_SUFFIXES)}) in it')
        return [item for f in files for item in read_inputs(osp.join(path, f))]
    stem = osp.splitext(osp.basename(path))[0]
    if not path.lower().endswith(IMAGE_SUFFIXES + ('.npy', )):
        raise DataFileError(f'{path}: not an .npy or image file '
                            f'({", ".join(IMAGE_SUFFIXES)})')
    if path.lower().endswith('.npy'):
        arr = open_npy(path)
        if arr.ndim == 4 or (arr.ndim == 3 and arr.shape[2] not in (1, 3)):
            _check_channels(path, arr, batched=True)
            if len(arr) == 0:
                raise DataFileError(f'{path}: a batch of no images '
                                    f'(shape {arr.shape})')
            imgs = images_to_uint8(path, arr, 0, len(arr))
            return [(f'{stem}_{i}', f'{path}[{i}]',
                     to_gray(img, f'{path}[{i}]'))
                    for i, img in enumerate(imgs)]
    return [(stem, path, to_gray(read_image(path), path))]
