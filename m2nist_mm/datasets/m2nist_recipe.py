"""M2NIST-recipe images composed on the fly from MNIST digits that no
M2NIST validation or test image holds: more training digits."""
import os.path as osp
from typing import Dict, List, Optional

from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from m2nist_core.classes import CLASSES, PALETTE
from m2nist_core.datagen.pools import m2nist_free_pool
from m2nist_core.datagen.recipe_stream import RecipeStream
from m2nist_core.datagen.sources import mnist_files
from .transforms.loading import array_loading


@DATASETS.register_module()
class M2NISTRecipeDataset(BaseSegDataset):
    """``num_images`` images of the M2NIST recipe over MNIST train digits,
    none of them a digit of an M2NIST validation or test image
    (``m2nist_free_pool(mnist_root, 'train', 'val_test')``). Image ``i`` is
    drawn from ``(seed, i)`` alone when asked for (``docs/data.md``).
    Samples carry ``img``, ``gt_seg_map`` and ``mnist_rows``.

    Args:
        mnist_root: Folder of the MNIST IDX files.
        num_images: Length of the data set.
        seed: Seed of the images.
        sources: A sources table other than the shipped one.
        **kwargs: Passed to :class:`mmseg.datasets.BaseSegDataset`
            (``pipeline``...).

    Raises:
        ValueError: ``num_images`` is not a positive int.
        FileNotFoundError: An MNIST file is missing.
    """

    METAINFO = dict(classes=CLASSES, palette=PALETTE)

    def __init__(self,
                 mnist_root: str = 'data/mnist',
                 num_images: int = 40000,
                 seed: int = 0,
                 sources: Optional[str] = None,
                 **kwargs) -> None:
        if not isinstance(num_images, int) or num_images < 1:
            raise ValueError(f'{type(self).__name__}: num_images must be a '
                             f'positive int, got {num_images!r}')
        self.mnist_root, self.num_images = mnist_root, num_images
        self.seed, self.sources = seed, sources
        self._stream: Optional[RecipeStream] = None
        kwargs['pipeline'] = array_loading(kwargs.get('pipeline', []),
                                           type(self).__name__)
        super().__init__(**kwargs)

    def load_data_list(self) -> List[dict]:
        """Build the digit pool; one entry per image index."""
        root = self.mnist_root
        if self.data_root and not osp.isabs(root):
            root = osp.join(self.data_root, root)
        pool = m2nist_free_pool(root, 'train', 'val_test',
                                sources=self.sources)
        self._stream = RecipeStream(pool.digits, pool.labels, pool.rows,
                                    self.seed)
        img_path = mnist_files(root, 'train')[0]
        return [
            dict(img_path=img_path, seg_map_path=None, img_idx=i,
                 label_map=self.label_map,
                 reduce_zero_label=self.reduce_zero_label, seg_fields=[])
            for i in range(self.num_images)
        ]

    def get_data_info(self, idx: int) -> Dict:
        """Sample ``idx`` with its ``img``, ``gt_seg_map``, ``mnist_rows``."""
        info = super().get_data_info(idx)
        img, mask, rows = self._stream.sample(info['img_idx'])
        info.update(img=img, gt_seg_map=mask, mnist_rows=rows)
        info['seg_fields'].append('gt_seg_map')
        return info
