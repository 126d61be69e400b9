"""Loading array-backed digit images, replaceable by mmdeploy's loader."""
import os.path as osp
from typing import Optional

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

from ..arrays import DataFileError, images_to_uint8, open_npy


def _read_image(path: str) -> np.ndarray:
    """Read one image from ``.npy`` (2-D, or H x W x 1/3) or an image file."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'image not found: {path}')
    if path.endswith('.npy'):
        arr = open_npy(path)
        if arr.ndim == 2 or (arr.ndim == 3 and arr.shape[2] in (1, 3)):
            return images_to_uint8(path, arr[None], 0, 1)[0]
        raise DataFileError(f'{path}: expected one image (H, W) or '
                            f'(H, W, 1|3), got shape {arr.shape}')
    img = mmcv.imread(path, flag='unchanged')
    if img is None:
        raise DataFileError(f'{path}: cannot be decoded as an image')
    if img.dtype != np.uint8:
        raise DataFileError(f'{path}: {img.dtype} pixels, expected 8-bit')
    return img


@TRANSFORMS.register_module()
class LoadDigitImage(BaseTransform):
    """Load a digit image: from the sample's ``img`` array or ``img_path``.

    Array-backed data sets (e.g. ``M2NISTDataset``) put the ``uint8`` image
    in ``results['img']``; otherwise ``img_path`` is read (``.npy``, PNG,
    JPG). It is the first step of every test pipeline so that mmdeploy can
    replace it by ``LoadImageFromNDArray``; ``ToGray`` after it makes both
    paths give the model the same input.

    Added keys: ``img`` (when read), ``img_shape``, ``ori_shape``.
    """

    def transform(self, results: dict) -> Optional[dict]:
        img = results.get('img')
        if img is None:
            if 'img_path' not in results:
                raise KeyError('LoadDigitImage: the sample has neither an '
                               '"img" array nor an "img_path"')
            img = _read_image(results['img_path'])
        elif not isinstance(img, np.ndarray) or img.dtype != np.uint8:
            raise TypeError(
                f'LoadDigitImage: {results.get("img_path", "sample")}: '
                f'"img" must be a uint8 numpy array, got '
                f'{getattr(img, "dtype", type(img))}')
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results


@TRANSFORMS.register_module()
class ToGray(BaseTransform):
    """Make ``img`` a single-channel ``(H, W)`` image.

    ``(H, W)`` stays as it is, ``(H, W, 1)`` is squeezed and a 3-channel BGR
    image (what mmdeploy's ``LoadImageFromNDArray`` gives) is converted with
    OpenCV's luma weights, which return the value itself when the three
    channels are equal, as for a grey image saved as colour. Other channel
    counts are refused.

    Modified keys: ``img``.
    """

    def transform(self, results: dict) -> dict:
        img = results['img']
        if img.ndim == 3 and img.shape[2] == 1:
            img = img[..., 0]
        elif img.ndim == 3 and img.shape[2] == 3:
            img = mmcv.bgr2gray(img)
        elif img.ndim != 2:
            raise ValueError(
                f'ToGray: {results.get("img_path", "image")}: expected a '
                f'grey or BGR image, got shape {img.shape}')
        results['img'] = img
        return results
