"""What the M2NIST data sets share: which files, which rows, the arrays."""
from typing import Optional, Sequence, Tuple

import numpy as np

from m2nist_core.splits import check_layout, read_split, split_range
from .transforms.loading import array_loading


class SplitArrays:
    """What both M2NIST data sets share: which files, which rows, and the
    converted arrays; put before the mmseg/mmdet base class."""

    def __init__(self,
                 data_root: str = 'data/m2nist',
                 split: str = 'train',
                 index_range: Optional[Sequence[int]] = None,
                 img_file: str = 'combined.npy',
                 seg_file: str = 'segmented.npy',
                 img_shape: Optional[Tuple[int, int]] = (64, 84),
                 layout: str = 'm2nist',
                 **kwargs) -> None:
        check_layout(type(self).__name__, layout)
        self.index_range = split_range(type(self).__name__, split, index_range)
        self.img_file, self.seg_file = img_file, seg_file
        self.layout = layout
        self.expected_shape = None if img_shape is None else tuple(img_shape)
        self._imgs: Optional[np.ndarray] = None
        self._masks: Optional[np.ndarray] = None
        kwargs['pipeline'] = array_loading(kwargs.get('pipeline', []),
                                           type(self).__name__)
        super().__init__(data_root=data_root, **kwargs)

    def _read_split(
            self, num_classes: int) -> Tuple[str, str, np.ndarray, np.ndarray]:
        """:func:`read_split` of this data set's files and rows; a range
        read to the end of the file becomes the rows read."""
        start = self.index_range[0]
        out = read_split(self.data_root, self.img_file, self.seg_file,
                         self.index_range, self.expected_shape, num_classes,
                         self.layout)
        self.index_range = (start, start + len(out[2]))
        return out

    def _row(self, info: dict) -> int:
        """Row of sample ``info`` in the converted arrays."""
        return info['img_idx'] - self.index_range[0]
