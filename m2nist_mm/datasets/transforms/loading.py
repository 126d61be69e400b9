"""Loading array-backed digit images, replaceable by mmdeploy's loader."""
from typing import List, Optional, Sequence

import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

from m2nist_core.images import read_image, to_gray


@TRANSFORMS.register_module()
class LoadDigitImage(BaseTransform):
    """Load a digit image: from the sample's ``img`` array or ``img_path``
    (``.npy``, PNG, JPG); mmdeploy replaces it by ``LoadImageFromNDArray``,
    and ``ToGray`` after it makes both give the model the same input.

    Added keys: ``img`` (when read), ``img_shape``, ``ori_shape``.
    """

    def transform(self, results: dict) -> Optional[dict]:
        img = results.get('img')
        if img is None:
            if 'img_path' not in results:
                raise KeyError('LoadDigitImage: the sample has neither an '
                               '"img" array nor an "img_path"')
            img = read_image(results['img_path'])
        elif not isinstance(img, np.ndarray) or img.dtype != np.uint8:
            raise TypeError(
                f'LoadDigitImage: {results.get("img_path", "sample")}: '
                f'"img" must be a uint8 numpy array, got '
                f'{getattr(img, "dtype", type(img))}')
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results


def array_loading(pipeline: Sequence[dict], owner: str) -> List[dict]:
    """A copy of ``pipeline`` whose leading ``LoadImageFromFile`` (the step
    the Inferencers and mmdeploy replace) is run as :class:`LoadDigitImage`.

    Raises:
        ValueError: A leading ``LoadImageFromFile`` with arguments (they
            would be ignored; ``owner`` is named).
    """
    steps = [dict(s) if isinstance(s, dict) else s for s in pipeline]
    if steps and isinstance(steps[0], dict) and str(
            steps[0].get('type')).split('.')[-1] == 'LoadImageFromFile':
        extra = sorted(set(steps[0]) - {'type'})
        if extra:
            raise ValueError(
                f'{owner}: the leading LoadImageFromFile of an array data '
                f'set is run as LoadDigitImage, which takes no arguments; '
                f'remove {extra}')
        steps[0] = dict(type='LoadDigitImage')
    return steps


@TRANSFORMS.register_module()
class ToGray(BaseTransform):
    """Make ``img`` a single-channel ``(H, W)`` image
    (:func:`m2nist_core.images.to_gray`; BGR is what mmdeploy's
    ``LoadImageFromNDArray`` gives).

    Modified keys: ``img``.
    """

    def transform(self, results: dict) -> dict:
        results['img'] = to_gray(results['img'],
                                 f'ToGray: {results.get("img_path", "image")}')
        return results
