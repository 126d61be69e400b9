"""The M2NIST multi-digit segmentation data set (Kaggle ``.npy`` files)."""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from m2nist_runtime.arrays import (DataFileError, image_layout,
                                   images_to_uint8, mask_layout,
                                   masks_to_index, open_npy)
from m2nist_runtime.classes import CLASSES, PALETTE

M2NIST_URL = 'https://www.kaggle.com/datasets/farhanhubble/multimnistm2nist'


@DATASETS.register_module()
class M2NISTDataset(BaseSegDataset):
    """M2NIST: 64x84 images of 1-3 handwritten digits with class masks.

    Reads ``combined.npy`` (images, ``(N, 64, 84)``, any integer or float
    dtype holding 0-255) and ``segmented.npy`` in either layout: Kaggle's
    one-hot ``(N, 64, 84, 11)`` (channel k = digit k, channel 10 =
    background; any integer or float dtype) or a compact class-index map
    ``(N, 64, 84)`` (0-9 digit, 10 background). Files are memory-mapped and
    only the selected split is converted, chunk by chunk, into validated
    ``uint8`` arrays; samples carry their image and mask, so no file is read
    per sample and any ``num_workers`` works. ``img_idx`` in a sample (and
    its data sample's metainfo) is the image's index in ``img_file``.

    Args:
        data_root: Folder that holds the two files.
        split: ``'train'``, ``'val'`` or ``'test'``; selects the default
            index range from :attr:`SPLITS`.
        index_range: ``(start, stop)`` sample indices (stop excluded) that
            override ``split``'s range.
        img_file: Image file name, relative to ``data_root``.
        seg_file: Mask file name, relative to ``data_root``.
        img_shape: Expected ``(H, W)`` of every image.
        **kwargs: Passed to :class:`mmseg.datasets.BaseSegDataset`
            (``pipeline``, ``test_mode``, ``lazy_init``...).
    """

    METAINFO = dict(classes=CLASSES, palette=PALETTE)
    #: Default index ranges ``[start, stop)`` of the splits.
    SPLITS = dict(train=(0, 4000), val=(4000, 4500), test=(4500, 5000))

    def __init__(self,
                 data_root: str = 'data/m2nist',
                 split: str = 'train',
                 index_range: Optional[Sequence[int]] = None,
                 img_file: str = 'combined.npy',
                 seg_file: str = 'segmented.npy',
                 img_shape: Tuple[int, int] = (64, 84),
                 **kwargs) -> None:
        if split not in self.SPLITS:
            raise ValueError(f'M2NISTDataset: unknown split {split!r}, '
                             f'expected one of {sorted(self.SPLITS)}')
        rng = self.SPLITS[split] if index_range is None else index_range
        if (len(rng) != 2 or not all(isinstance(v, int) for v in rng)
                or not 0 <= rng[0] < rng[1]):
            raise ValueError('M2NISTDataset: index_range must be two ints '
                             f'0 <= start < stop, got {index_range!r}')
        self.index_range = tuple(rng)
        self.img_file, self.seg_file = img_file, seg_file
        self.expected_shape = tuple(img_shape)
        self._imgs: Optional[np.ndarray] = None
        self._masks: Optional[np.ndarray] = None
        super().__init__(data_root=data_root, **kwargs)

    def _path(self, name: str) -> str:
        return osp.join(self.data_root or '', name)

    def load_data_list(self) -> List[dict]:
        """Validate the files and convert the split into compact arrays."""
        img_path, seg_path = self._path(self.img_file), self._path(
            self.seg_file)
        for path in (img_path, seg_path):
            if not osp.isfile(path):
                raise FileNotFoundError(
                    f'M2NIST file not found: {path}. Download M2NIST '
                    f'({M2NIST_URL}), put combined.npy and segmented.npy in '
                    f'{self.data_root!r}, or point the config there with '
                    '--cfg-options data_root=PATH (see README, "Data").')
        imgs, masks = open_npy(img_path), open_npy(seg_path)
        num_classes = len(self.METAINFO['classes'])
        image_layout(img_path, imgs, self.expected_shape)
        mask_layout(seg_path, masks, self.expected_shape, num_classes)
        if len(imgs) != len(masks):
            raise DataFileError(f'{img_path} holds {len(imgs)} images but '
                                f'{seg_path} holds {len(masks)} masks')
        start, stop = self.index_range
        if stop > len(imgs):
            raise DataFileError(
                f'{img_path}: index_range {self.index_range} is outside the '
                f'data ({len(imgs)} samples)')
        if imgs.ndim == 4:  # (N, H, W, 1): a view, not a copy
            imgs = imgs[..., 0]
        self._imgs = images_to_uint8(img_path, imgs, start, stop)
        self._masks = masks_to_index(seg_path, masks, start, stop,
                                     num_classes)
        return [
            dict(
                img_path=img_path,
                seg_map_path=seg_path,
                img_idx=i,
                label_map=self.label_map,
                reduce_zero_label=self.reduce_zero_label,
                seg_fields=[]) for i in range(start, stop)
        ]

    def get_data_info(self, idx: int) -> Dict:
        """Sample ``idx`` with its ``img`` and ``gt_seg_map`` arrays."""
        info = super().get_data_info(idx)
        row = info['img_idx'] - self.index_range[0]
        info['img'] = self._imgs[row].copy()
        info['gt_seg_map'] = self._masks[row].copy()
        info['seg_fields'].append('gt_seg_map')
        return info
