"""Augmentations that make sense for digits (no flips)."""
from typing import Sequence

import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

from m2nist_core.classes import BACKGROUND
from m2nist_core.digit_warp import warp_digits


@TRANSFORMS.register_module()
class RandomTranslate(BaseTransform):
    """Shift image and masks by a random whole number of pixels, at most
    ``max_shift`` = ``(dy, dx)``, keeping all ink inside the image; vacated
    pixels take ``img_pad_val`` / ``seg_pad_val``.

    Modified keys: ``img``, every key in ``seg_fields`` and ``gt_bboxes``
    (mmdet boxes), which move with the ink.
    """

    def __init__(self,
                 max_shift: Sequence[int] = (8, 8),
                 prob: float = 0.5,
                 img_pad_val: int = 0,
                 seg_pad_val: int = 10) -> None:
        if len(max_shift) != 2 or min(max_shift) < 0:
            raise ValueError('RandomTranslate: max_shift must be two '
                             f'non-negative ints, got {max_shift!r}')
        if not 0 <= prob <= 1:
            raise ValueError(f'RandomTranslate: prob must be in [0, 1], got '
                             f'{prob!r}')
        self.max_shift = tuple(int(v) for v in max_shift)
        self.prob = prob
        self.img_pad_val, self.seg_pad_val = img_pad_val, seg_pad_val

    def _shift(self, arr: np.ndarray, dy: int, dx: int,
               fill: int) -> np.ndarray:
        out = np.full_like(arr, fill)
        h, w = arr.shape[:2]
        out[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
            arr[max(-dy, 0):h - max(dy, 0), max(-dx, 0):w - max(dx, 0)]
        return out

    def transform(self, results: dict) -> dict:
        if np.random.rand() >= self.prob:
            return results
        img = results['img']
        ink = img if img.ndim == 2 else img.max(axis=2)
        ys, xs = np.nonzero(ink != self.img_pad_val)
        if len(ys) == 0:
            return results
        h, w = ink.shape
        (my, mx) = self.max_shift
        dy = np.random.randint(
            max(-my, -ys.min()), min(my, h - 1 - ys.max()) + 1)
        dx = np.random.randint(
            max(-mx, -xs.min()), min(mx, w - 1 - xs.max()) + 1)
        results['img'] = self._shift(img, dy, dx, self.img_pad_val)
        for key in results.get('seg_fields', []):
            results[key] = self._shift(results[key], dy, dx, self.seg_pad_val)
        if results.get('gt_bboxes') is not None:
            results['gt_bboxes'].translate_([dx, dy])
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(max_shift={self.max_shift}, '
                f'prob={self.prob})')


@TRANSFORMS.register_module()
class RandomDigitWarp(BaseTransform):
    """Distort each digit of a grey image on its own, with probability
    ``prob`` (other arguments: :func:`m2nist_core.digit_warp.warp_digits`);
    the mask follows the ink exactly.

    Modified keys: ``img``, ``gt_seg_map``.
    """

    def __init__(self,
                 prob: float = 0.5,
                 max_rotate: float = 15.0,
                 scale_range: Sequence[float] = (0.85, 1.15),
                 max_shear: float = 0.25,
                 elastic_alpha: float = 0.0,
                 elastic_sigma: float = 4.0,
                 background: int = BACKGROUND) -> None:
        if not 0 <= prob <= 1:
            raise ValueError(f'RandomDigitWarp: prob must be in [0, 1], got '
                             f'{prob!r}')
        if (len(scale_range) != 2
                or not 0 < scale_range[0] <= scale_range[1]):
            raise ValueError(
                'RandomDigitWarp: scale_range must be (low, high) with '
                f'0 < low <= high, got {scale_range!r}')
        if min(max_rotate, max_shear, elastic_alpha) < 0 or elastic_sigma <= 0:
            raise ValueError(
                'RandomDigitWarp: max_rotate, max_shear and elastic_alpha '
                'must be >= 0 and elastic_sigma > 0, got '
                f'{(max_rotate, max_shear, elastic_alpha, elastic_sigma)!r}')
        self.prob = prob
        self.params = dict(max_rotate=max_rotate,
                           scale_range=tuple(scale_range),
                           max_shear=max_shear,
                           elastic_alpha=elastic_alpha,
                           elastic_sigma=elastic_sigma,
                           background=background)

    def transform(self, results: dict) -> dict:
        if np.random.rand() >= self.prob:
            return results
        img = results['img']
        if img.ndim == 3 and img.shape[2] == 1:
            img = img[..., 0]
        if img.ndim != 2:
            raise ValueError(
                f'RandomDigitWarp: {results.get("img_path")}: expected a grey '
                f'image (run ToGray first), got shape {results["img"].shape}')
        # np.random: the generator the data loader workers seed
        img, mask = warp_digits(img, results['gt_seg_map'], np.random,
                                **self.params)
        results['img'] = img.reshape(results['img'].shape)
        results['gt_seg_map'] = mask
        return results

    def __repr__(self) -> str:
        args = ', '.join(f'{k}={v!r}' for k, v in self.params.items())
        return f'{self.__class__.__name__}(prob={self.prob}, {args})'
