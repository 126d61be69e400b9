"""MNIST Large Scale (official HDF5 files) for MMDetection: the digit is
each image's only object, its box tight around the digit's pixels (see
:mod:`.mnist_large_scale` for the foreground rule)."""
from typing import Dict, Tuple

import numpy as np
from mmdet.registry import DATASETS

from m2nist_core.classes import BACKGROUND
from m2nist_core.instances import box_of
from .m2nist_det import M2NISTDetDataset
from .mnist_large_scale import LargeScaleFile


@DATASETS.register_module()
class MNISTLargeScaleDetDataset(LargeScaleFile, M2NISTDetDataset):
    """An official MNIST Large Scale file as a detection data set: the
    digit is the image's only object (arguments: :class:`LargeScaleFile`).
    """

    def _read_arrays(self) -> Tuple[str, np.ndarray, Dict[int, list]]:
        path, imgs, masks, labels = self._read_h5()
        per_image = {}
        for i, (mask, label) in enumerate(zip(masks, labels),
                                          self.index_range[0]):
            ys, xs = np.nonzero(mask != BACKGROUND)
            per_image[i] = [(int(label), box_of(ys, xs))] if len(ys) else []
        return path, imgs, per_image
