"""M2NIST as an MMDetection data set: every digit is one object."""
from typing import Dict, List, Tuple

import numpy as np
from mmdet.datasets import BaseDetDataset
from mmdet.registry import DATASETS

from m2nist_core.classes import BACKGROUND, CLASSES, DIGITS, PALETTE
from m2nist_core.coco import read_coco
from m2nist_core.instances import derive_instances
from .m2nist_split import SplitArrays


@DATASETS.register_module()
class M2NISTDetDataset(SplitArrays, BaseDetDataset):
    """M2NIST digits as boxes: classes ``'0'``-``'9'`` (label = digit).

    Reads the files, layouts and splits of ``M2NISTDataset``; each image's
    instances are derived from its class mask
    (:func:`~m2nist_core.instances.derive_instances`) or read from
    ``ann_file`` (COCO JSON, image ids indices in ``img_file``).

    Args:
        ann_file: Optional COCO JSON, relative to ``data_root``.
        **kwargs: The files, split and layout as ``M2NISTDataset``'s; the
            rest passed to :class:`mmdet.datasets.BaseDetDataset`.
    """

    # mmdet's visualizer takes colours as tuples
    METAINFO = dict(classes=DIGITS,
                    palette=[tuple(c) for c in PALETTE[:BACKGROUND]])

    def load_data_list(self) -> List[dict]:
        """Read the split's images and their digit instances."""
        img_path, self._imgs, per_image = self._read_arrays()
        ids = range(*self.index_range)
        h, w = self._imgs.shape[1:3]
        return [
            dict(img_path=img_path, img_id=i, img_idx=i, height=h, width=w,
                 instances=[
                     dict(bbox=[float(v) for v in box], bbox_label=cls,
                          ignore_flag=0) for cls, box in per_image[i]
                 ]) for i in ids
        ]

    def _read_arrays(self) -> Tuple[str, np.ndarray, Dict[int, list]]:
        """``(img_path, images, instances per image index)``."""
        img_path, _, imgs, masks = self._read_split(len(CLASSES))
        ids = range(*self.index_range)
        if self.ann_file:
            return img_path, imgs, read_coco(self.ann_file, ids,
                                             imgs.shape[1:3])
        return img_path, imgs, {i: derive_instances(m)
                                for i, m in zip(ids, masks)}

    def get_data_info(self, idx: int) -> Dict:
        """Sample ``idx`` with its ``img`` array."""
        info = super().get_data_info(idx)
        info['img'] = self._imgs[self._row(info)].copy()
        return info
