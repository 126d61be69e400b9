"""A detector exported by ``tools/deploy.py``, run without torch or mm*."""
from typing import Dict, List, Optional, Sequence

import numpy as np

from ..arrays import DataFileError
from .backends import THREADS
from .model import Export
from .naming import DigitNamer

#: One image's detections: ``bboxes`` ``(K, 4)`` float32 ``x1, y1, x2, y2``
#: in the image's pixels, ``scores`` ``(K,)``, ``labels`` ``(K,)`` digits.
Detections = Dict[str, np.ndarray]


class DeployedDetector(Export):
    """Object detector (post-processing in the graph) from a work dir.

    The graph gives ``dets`` ``(N, K, 5)`` (box in the padded input and
    score) and ``labels`` ``(N, K)``. Images are resized as the model
    config's test pipeline does (``Resize`` in ``pipeline.json``), padded,
    and boxes are clipped to the resized image (those left empty dropped)
    and scaled back to the original one, as mmdet does. An export of a detector that names its
    boxes holds its digit classifier too (``deploy.json``'s ``naming``):
    each box takes the classifier's most probable digit, and its score is
    the graph's times that probability, as in PyTorch
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
        naming = self.deploy.get('naming')
        self.namer = None if naming is None else DigitNamer(
            self.work_dir, naming, device, THREADS, grouping=False)

    def name(self, img: np.ndarray, dets: Detections) -> Detections:
        """The detections of grey ``uint8`` ``img`` (in its pixels; also
        from elsewhere, e.g. mmdeploy's SDK) named by the classifier;
        unchanged for an export without one."""
        if self.namer is None or not len(dets['bboxes']):
            return dets
        resized, (sx, sy) = self.preprocess.resize(img)
        image = (resized.astype(np.float32) - self.preprocess.mean) / \
            self.preprocess.std
        probs = self.namer.boxes(image, dets['bboxes'] * [sx, sy, sx, sy])
        return dict(bboxes=dets['bboxes'],
                    scores=(dets['scores'] * probs.max(1)).astype(np.float32),
                    labels=probs.argmax(1).astype(np.int64))

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
            boxes = np.clip(dets[:, :4], 0, [w, h, w, h])
            # as mmdet: a box clipped to nothing (in the padding) is dropped
            inside = (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
            boxes = boxes[inside] / [sx, sy, sx, sy]
            named = self.name(img, dict(
                bboxes=boxes.astype(np.float32),
                scores=dets[inside, 4].astype(np.float32),
                labels=labels[inside].astype(np.int64)))
            keep = named['scores'] >= score_thr
            results.append({k: v[keep] for k, v in named.items()})
        return results
