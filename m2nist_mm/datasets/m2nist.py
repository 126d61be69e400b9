"""The M2NIST multi-digit segmentation data set (Kaggle ``.npy`` files)."""
from typing import Dict, List, Tuple

import numpy as np
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from m2nist_core.classes import CLASSES, PALETTE
from .m2nist_split import SplitArrays


@DATASETS.register_module()
class M2NISTDataset(SplitArrays, BaseSegDataset):
    """M2NIST: 64x84 images of 1-3 handwritten digits with class masks.

    Reads ``combined.npy`` and ``segmented.npy`` in M2NIST's layouts or,
    with ``layout='mnist_extended'``, MNIST extended's (``docs/data.md``).
    Only the split is converted, into validated ``uint8`` arrays that the
    samples carry; ``img_idx`` is the index in ``img_file``.

    Args:
        data_root: Folder that holds the two files.
        split: ``'train'``, ``'val'``, ``'test'`` (the index ranges of
            :data:`m2nist_core.splits.SPLITS`) or ``'all'``.
        index_range: ``(start, stop)`` overriding ``split``'s range.
        img_file: Image file name, relative to ``data_root``.
        seg_file: Mask file name, relative to ``data_root``.
        img_shape: Expected ``(H, W)`` of every image; None for any.
        layout: ``'m2nist'`` or ``'mnist_extended'``.
        **kwargs: Passed to :class:`mmseg.datasets.BaseSegDataset`.
    """

    METAINFO = dict(classes=CLASSES, palette=PALETTE)

    def load_data_list(self) -> List[dict]:
        """Validate the files and convert the split into compact arrays."""
        img_path, seg_path, self._imgs, self._masks = self._read_arrays()
        start, stop = self.index_range
        return [
            dict(img_path=img_path, seg_map_path=seg_path, img_idx=i,
                 label_map=self.label_map,
                 reduce_zero_label=self.reduce_zero_label, seg_fields=[])
            for i in range(start, stop)
        ]

    def _read_arrays(self) -> Tuple[str, str, np.ndarray, np.ndarray]:
        """``(img_path, seg_path, images, masks)`` of :attr:`index_range`."""
        return self._read_split(len(self.METAINFO['classes']))

    def get_data_info(self, idx: int) -> Dict:
        """Sample ``idx`` with its ``img`` and ``gt_seg_map`` arrays."""
        info = super().get_data_info(idx)
        row = self._row(info)
        info['img'] = self._imgs[row].copy()
        info['gt_seg_map'] = self._masks[row].copy()
        info['seg_fields'].append('gt_seg_map')
        return info
