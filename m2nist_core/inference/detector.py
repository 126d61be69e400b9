"""A detector exported by ``tools/deploy.py``, run without torch or mm*, and
:func:`load_export`, which opens an export as the model type it holds."""
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np

from ..arrays import DataFileError
from .model import DeployedModel, Export, check_images

#: One image's detections: ``bboxes`` ``(K, 4)`` float32 ``x1, y1, x2, y2``
#: in the image's pixels, ``scores`` ``(K,)``, ``labels`` ``(K,)`` digits.
Detections = Dict[str, np.ndarray]


class DeployedDetector(Export):
    """Object detector (post-processing in the graph) from a work dir.

    The graph gives ``dets`` ``(N, K, 5)`` (box in the padded input and
    score) and ``labels`` ``(N, K)``. Images are resized as the model
    config's test pipeline does (``Resize`` in ``pipeline.json``), padded,
    and boxes are clipped to the resized image (those left empty dropped)
    and scaled back to the original one, as mmdet does. With a digit
    classifier (:attr:`namer`), each box takes its most probable digit,
    and its score is the graph's times that probability, as in PyTorch
    (``DigitNamingRTMDet``).

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
        names = check_images(imgs, names)
        results = []
        for name, img in zip(names, imgs):
            resized, (sx, sy) = self.preprocess.resize(img)
            self.check_size(name, resized.shape)
            dets, labels = self.run(self.preprocess([resized]))[:2]
            dets, labels = dets[0], labels[0]
            h, w = resized.shape
            boxes = np.clip(dets[:, :4], 0, [w, h, w, h])
            # as mmdet: a box clipped to nothing (in the padding) is dropped
            inside = (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
            boxes = boxes[inside] / [sx, sy, sx, sy]
            named = dict(bboxes=boxes.astype(np.float32),
                         scores=dets[inside, 4].astype(np.float32),
                         labels=labels[inside].astype(np.int64))
            if self.namer is not None:
                named = self.namer.boxes(img, named)
            keep = named['scores'] >= score_thr
            results.append({k: v[keep] for k, v in named.items()})
        return results


def load_export(work_dir: str, device: str = 'cpu') -> Export:
    """The segmentation model or detector exported to ``work_dir`` (or to
    the folder of the file ``work_dir``), by ``deploy.json``'s task.

    Args:
        work_dir: The deploy work dir (or a file in it).
        device: ``'cpu'`` or ``'cuda[:i]'``.

    Returns:
        A :class:`DeployedDetector` when the task is ``'Detector'``, else a
        :class:`DeployedModel` (which reports any problem with the files).
    """
    folder = osp.dirname(work_dir) if osp.isfile(work_dir) else work_dir
    try:
        with open(osp.join(folder, 'deploy.json')) as f:
            task = json.load(f).get('task')
    except (OSError, ValueError, AttributeError):
        task = None  # DeployedModel says what is wrong with the files
    cls = DeployedDetector if task == 'Detector' else DeployedModel
    return cls(work_dir, device)
