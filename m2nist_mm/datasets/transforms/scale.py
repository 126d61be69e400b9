"""Digit-scale augmentation: M2NIST images as if generated at another scale."""
from typing import Sequence

import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

from m2nist_core.datagen.generator import resize_ink
from m2nist_core.datagen.scales import log_uniform_scales


@TRANSFORMS.register_module()
class RandomDigitScale(BaseTransform):
    """Rescale image and mask by a factor drawn log-uniformly in
    ``scale_range``, the way the generator rescales digits.

    The image is resized bicubic (area-averaged when shrinking) to
    ``round(H s) x round(W s)``. The mask is rebuilt as the generator builds
    it: each class's ink (the image where the mask holds that class) is
    resized the same way and the class labels the pixels where it is > 0
    (the lowest class wins, as in M2NIST). So a mask from this transform
    equals, up to digit overlaps, the mask of the image generated at scale
    ``s`` (see ``m2nist_core.datagen.scale_sets``). Follow it with a
    ``RandomCrop`` to bound the input size.

    Needs a grey ``(H, W)`` ``img`` (after ``ToGray``) and ``gt_seg_map``
    with ``background_label`` as background and no other label besides
    ``0 .. background_label - 1``. Modified keys: ``img``, ``gt_seg_map``,
    ``img_shape``; adds ``digit_scale``.
    """

    def __init__(self,
                 scale_range: Sequence[float] = (1.0, 4.0),
                 background_label: int = 10) -> None:
        if (len(scale_range) != 2
                or not 0 < scale_range[0] <= scale_range[1]):
            raise ValueError('RandomDigitScale: scale_range must be (lo, hi) '
                             f'with 0 < lo <= hi, got {scale_range!r}')
        self.scale_range = tuple(float(v) for v in scale_range)
        self.background_label = background_label

    def transform(self, results: dict) -> dict:
        img, mask = results['img'], results['gt_seg_map']
        if img.ndim != 2 or img.dtype != np.uint8:
            raise ValueError('RandomDigitScale needs a grey (H, W) uint8 '
                             f'image (put ToGray before it), got '
                             f'{img.dtype} {img.shape} from '
                             f'{results.get("img_path")}')
        scale = float(log_uniform_scales(np.random, 1, *self.scale_range)[0])
        h, w = img.shape
        shape = (max(1, round(h * scale)), max(1, round(w * scale)))
        out = np.full(shape, self.background_label, np.uint8)
        classes = [c for c in np.unique(mask) if c != self.background_label]
        if any(not 0 <= c < self.background_label for c in classes):
            raise ValueError(f'RandomDigitScale: labels {classes} of '
                             f'{results.get("img_path")} outside 0-'
                             f'{self.background_label}')
        for cls in sorted(classes, reverse=True):
            ink = np.where(mask == cls, img, 0).astype(np.uint8)
            out[resize_ink(ink, shape) > 0] = cls
        results['img'] = resize_ink(img, shape)
        results['gt_seg_map'] = out
        results['img_shape'] = shape
        results['digit_scale'] = scale
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(scale_range={self.scale_range}, '
                f'background_label={self.background_label})')
