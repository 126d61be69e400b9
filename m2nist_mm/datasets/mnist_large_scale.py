"""MNIST Large Scale (official HDF5 files, one digit per 112x112 image) for
MMSegmentation; foreground rule: ``docs/data.md``."""
import os.path as osp
from typing import Optional, Sequence, Tuple

import numpy as np
from mmseg.registry import DATASETS

from m2nist_core.datagen.large_scale import read_large_scale
from .m2nist import M2NISTDataset


class LargeScaleFile:
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


@DATASETS.register_module()
class MNISTLargeScaleDataset(LargeScaleFile, M2NISTDataset):
    """An official MNIST Large Scale file as a segmentation data set
    (arguments: :class:`LargeScaleFile`)."""

    def _read_arrays(self) -> Tuple[str, str, np.ndarray, np.ndarray]:
        path, imgs, masks, _ = self._read_h5()
        return path, path, imgs, masks
