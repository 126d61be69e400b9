"""Reading digit images (``.npy``, PNG, JPG) and making them grey."""
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


def read_image(path: str) -> np.ndarray:
    """One ``uint8`` image from ``.npy`` (2-D, or H x W x 1/3) or a file.

    Image files are decoded unchanged with OpenCV (colour as BGR); 16-bit
    images and alpha channels are refused rather than converted.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'image not found: {path}')
    if path.lower().endswith('.npy'):
        arr = open_npy(path)
        _check_channels(path, arr, batched=False)
        return images_to_uint8(path, arr[None], 0, 1)[0]
    img = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if img is None:
        raise DataFileError(f'{path}: cannot be decoded as an image')
    if img.dtype != np.uint8:
        raise DataFileError(f'{path}: {img.dtype} pixels, expected 8-bit')
    _check_channels(path, img, batched=False)
    return img


def to_gray(img: np.ndarray, name: str = 'image') -> np.ndarray:
    """``(H, W)`` grey image from a grey, ``(H, W, 1)`` or BGR image.

    BGR is converted with OpenCV's luma weights, which return the value
    itself when the three channels are equal (a grey image saved as colour).
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

    ``path`` is an image file, an ``.npy`` holding one image or a batch, or
    a directory of those (not recursive, sorted by name). A 2-D ``.npy``,
    or a 3-D one whose last axis is 1 or 3, is one image; other 3-D and
    4-D ones are batches ``(N, H, W[, 1|3])``, named ``<stem>_<i>``.
    ``name`` is the file stem (for output files), ``source`` the file, with
    ``[i]`` for an image of a batch.
    """
    if not osp.exists(path):
        raise FileNotFoundError(f'input not found: {path}')
    if osp.isdir(path):
        files = sorted(f for f in os.listdir(path)
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
