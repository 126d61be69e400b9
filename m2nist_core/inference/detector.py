"""A detector exported by ``tools/deploy.py``, run without torch or mm*."""
from typing import Dict, List, Optional, Sequence

import numpy as np

from ..arrays import DataFileError
from .model import Export

#: One image's detections: ``bboxes`` ``(K, 4)`` float32 ``x1, y1, x2, y2``
#: in the image's pixels, ``scores`` ``(K,)``, ``labels`` ``(K,)`` digits.
Detections = Dict[str, np.ndarray]


class DeployedDetector(Export):
    """Object detector (post-processing in the graph) from a work dir.

    The graph gives ``dets`` ``(N, K, 5)`` (box in the padded input and
    score) and ``labels`` ``(N, K)``. Images are resized as the model
    config's test pipeline does (``Resize`` in ``pipeline.json``), padded,
    and boxes are clipped to the resized image and scaled back to the
    original one, as mmdet does.

    Args:
        work_dir: The deploy work dir (or a file in it).
        device: ``'cpu'`` or ``'cuda[:i]'``.
    """

    def __init__(self, work_dir: str, device: str = 'cpu') -> None:
        super().__init__(work_dir, device)
        if self.task != 'Detector':
            raise DataFileError(f'{self.work_dir}/deploy.json: task '
                                f'{self.task!r} is not a detector')

    def __call__(self, imgs: Sequence[np.ndarray],
                 names: Optional[Sequence[str]] = None,
                 score_thr: float = 0.0) -> List[Detections]:
        """Detections with a score of at least ``score_thr``, per image."""
        names = self.check_images(imgs, names)
        results = []
        for name, img in zip(names, imgs):
            resized, (sx, sy) = self.preprocess.resize(img)
            self.check_size(name, resized.shape)
            dets, labels = self.run(self.preprocess([resized]))[:2]
            dets, labels = dets[0], labels[0]
            h, w = resized.shape
            boxes = np.clip(dets[:, :4], 0, [w, h, w, h]) / [sx, sy, sx, sy]
            keep = dets[:, 4] >= score_thr
            results.append(
                dict(bboxes=boxes[keep].astype(np.float32),
                     scores=dets[keep, 4].astype(np.float32),
                     labels=labels[keep].astype(np.int64)))
        return results
