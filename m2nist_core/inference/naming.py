"""An export's digit classifier: names each digit its segmenter or detector
finds."""
import os.path as osp
from typing import List, Tuple

import numpy as np

from ..arrays import DataFileError
from ..naming import Digit, name_boxes, name_digits
from .backends import OnnxRuntimeBackend

#: The keys of ``deploy.json``'s ``naming`` entry, and those a segmentor's
#: adds (how it groups its foreground into digits).
KEYS = ('classifier', 'crop_size', 'ink_level')
GROUPING_KEYS = ('min_piece', 'max_width', 'background')


class DigitNamer:
    """The classifier graph and settings that ``deploy.json``'s ``naming``
    entry names (:mod:`m2nist_core.naming`), run with ONNX Runtime in fp32
    whatever the model's backend and precision.

    Args:
        work_dir: The export's folder.
        entry: ``deploy.json``'s ``naming`` entry.
        device: ``'cpu'`` or ``'cuda[:i]'``.
        threads: ONNX Runtime's threads.
        grouping: A segmentor's entry (with :data:`GROUPING_KEYS`).

    Raises:
        DataFileError: An entry without the keys it needs.
        FileNotFoundError: No classifier file.
    """

    def __init__(self, work_dir: str, entry: dict, device: str,
                 threads: int, grouping: bool = True) -> None:
        keys = KEYS + (GROUPING_KEYS if grouping else ())
        missing = [k for k in keys if k not in entry]
        if missing:
            raise DataFileError(f'{work_dir}/deploy.json: its naming entry '
                                f'lacks {missing}; re-export with '
                                'tools/deploy.py')
        path = osp.join(work_dir, entry['classifier'])
        if not osp.isfile(path):
            raise FileNotFoundError(f'{path} not found (named in '
                                    f'{work_dir}/deploy.json)')
        self.classify = OnnxRuntimeBackend(path, device, threads)
        self.crop_size = int(entry['crop_size'])
        level = entry['ink_level']
        self.ink_level = None if level is None else float(level)
        if grouping:
            self.min_piece = int(entry['min_piece'])
            self.max_width = int(entry['max_width'])
            self.background = int(entry['background'])

    def __call__(self, image: np.ndarray,
                 class_map: np.ndarray) -> Tuple[np.ndarray, List[Digit]]:
        """Group a segmenter's foreground into digits and name them.

        Args:
            image: ``(H, W)`` the image as the model sees it (normalised).
            class_map: ``(H, W)`` the segmenter's class indices.

        Returns:
            ``(labels, digits)`` as :func:`m2nist_core.naming.name_digits`.
        """
        return name_digits(image, class_map != self.background,
                           self.classify, self.min_piece, self.max_width,
                           self.crop_size, self.ink_level)

    def boxes(self, image: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        """``(K, 10)`` probabilities of the digit in each of a detector's
        ``boxes`` (``(K, 4)`` in ``image``'s pixels), as
        :func:`m2nist_core.naming.name_boxes`."""
        return name_boxes(image, boxes, self.classify, self.ink_level,
                          self.crop_size)
