"""MNIST Large Scale (official HDF5 files) for MMSegmentation and MMDetection.

One digit per 112x112 image. Foreground rule (both data sets): a pixel is
the digit where the stored value is > 0, i.e. its smoothed intensity is
above 128 (see :mod:`m2nist_mm.datagen.large_scale`); the mask holds the
image's label there and background (10) elsewhere; the detection box is
tight around those pixels (an image without any has no instance). Images
are the intensities before the soft threshold, as ``uint8``.
"""
import os.path as osp
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
from mmdet.registry import DATASETS as DET_DATASETS
from mmseg.registry import DATASETS as SEG_DATASETS

from m2nist_mm.datagen.large_scale import read_large_scale
from .instances import box_of
from .m2nist import M2NISTDataset
from .m2nist_det import M2NISTDetDataset


class _LargeScaleFile:
    """Reading the h5 file's split instead of M2NIST's ``.npy`` pair.

    Args:
        data_root: Folder that holds the file.
        h5_file: File name, e.g. ``mnist_large_scale_te10000_outsize112-112_
            sctr2p000_scte2p000.h5``.
        split: ``'train'``, ``'val'`` or ``'test'`` (the file's ``/x_*``).
        index_range: Optional ``(start, stop)`` within that split.
        **kwargs: Passed to the M2NIST data set (``pipeline``...).
    """

    def __init__(self,
                 data_root: str = 'data/mnist_large_scale',
                 h5_file: str = '',
                 split: str = 'test',
                 index_range: Optional[Sequence[int]] = None,
                 **kwargs) -> None:
        if not h5_file:
            raise ValueError(f'{type(self).__name__}: h5_file is required '
                             '(an official mnist_large_scale_*.h5 name)')
        self.h5_file, self.h5_split = h5_file, split
        self._given_range = None if index_range is None else tuple(
            index_range)
        super().__init__(data_root=data_root, split=split,
                         index_range=index_range, img_shape=(112, 112),
                         **kwargs)

    def _read_h5(self) -> Tuple[str, np.ndarray, np.ndarray, np.ndarray]:
        path = osp.join(self.data_root or '', self.h5_file)
        imgs, masks, labels = read_large_scale(path, self.h5_split,
                                               self._given_range)
        start = self._given_range[0] if self._given_range else 0
        self.index_range = (start, start + len(imgs))
        return path, imgs, masks, labels


@SEG_DATASETS.register_module()
class MNISTLargeScaleDataset(_LargeScaleFile, M2NISTDataset):
    """An official MNIST Large Scale file as a segmentation data set
    (arguments: :class:`_LargeScaleFile`)."""

    def _read_arrays(self) -> Tuple[str, str, np.ndarray, np.ndarray]:
        path, imgs, masks, _ = self._read_h5()
        return path, path, imgs, masks


@DET_DATASETS.register_module()
class MNISTLargeScaleDetDataset(_LargeScaleFile, M2NISTDetDataset):
    """An official MNIST Large Scale file as a detection data set: the
    digit is the image's only object (arguments: :class:`_LargeScaleFile`).
    """

    def _read_arrays(self) -> Tuple[str, np.ndarray, Dict[int, list]]:
        path, imgs, masks, labels = self._read_h5()
        per_image = {}
        for i, (mask, label) in enumerate(zip(masks, labels),
                                          self.index_range[0]):
            ys, xs = np.nonzero(mask != 10)
            per_image[i] = [(int(label), box_of(ys, xs))] if len(ys) else []
        return path, imgs, per_image
