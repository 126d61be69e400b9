"""How well an exported detector matches PyTorch: box agreement, COCO mAP."""
from typing import Dict, List, Sequence

import numpy as np
import torch
from mmdet.evaluation import CocoMetric

from m2nist_core.classes import DIGITS
from m2nist_core.inference.detector import Detections
from m2nist_core.instances import Instance


def _iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    lt = np.maximum(box[:2], boxes[:, :2])
    rb = np.minimum(box[2:], boxes[:, 2:])
    inter = np.prod(np.clip(rb - lt, 0, None), axis=1)
    area = np.prod(box[2:] - box[:2])
    areas = np.prod(boxes[:, 2:] - boxes[:, :2], axis=1)
    return inter / np.maximum(area + areas - inter, 1e-9)


def box_agreement(preds: Sequence[Detections], refs: Sequence[Detections],
                  score_thr: float = 0.3, min_iou: float = 0.99,
                  score_tol: float = 0.01) -> Dict[str, float]:
    """How many boxes two detectors share, in percent.

    Boxes with a score of at least ``score_thr`` are compared; a reference
    box matches an unmatched prediction of the same class with IoU of at
    least ``min_iou`` and a score within ``score_tol`` (greedily, highest
    score first). A box left unmatched whose score lies within
    ``score_tol`` of ``score_thr`` is borderline (its twin may sit just
    below the threshold) and is not counted.

    Args:
        preds: Detections of an export (``bboxes``, ``scores``, ``labels``).
        refs: The PyTorch detections of the same images.
        score_thr: Boxes below it are not compared.
        min_iou: The least IoU of a match.
        score_tol: The most a match's scores may differ.

    Returns:
        ``agreement`` = matched / (matched + unmatched), in percent, and
        the ``matched``, ``unmatched`` and ``borderline`` counts.
    """
    matched = unmatched = borderline = 0
    for pred, ref in zip(preds, refs):
        p_keep = np.nonzero(pred['scores'] >= score_thr - score_tol)[0]
        r_order = np.argsort(-ref['scores'])
        free = np.ones(len(p_keep), bool)
        r_unmatched = []
        for r in r_order:
            if ref['scores'][r] < score_thr:
                break
            cand = p_keep[free]
            ok = ((pred['labels'][cand] == ref['labels'][r]) &
                  (np.abs(pred['scores'][cand] - ref['scores'][r])
                   <= score_tol))
            if ok.any():
                ious = _iou(ref['bboxes'][r], pred['bboxes'][cand])
                ious[~ok] = -1
                best = int(np.argmax(ious))
                if ious[best] >= min_iou:
                    matched += 1
                    free[np.nonzero(free)[0][best]] = False
                    continue
            r_unmatched.append(ref['scores'][r])
        left = list(pred['scores'][p_keep[free]])
        for score in r_unmatched + left:
            if score < score_thr:  # a prediction kept only for matching
                continue
            if abs(score - score_thr) <= score_tol:
                borderline += 1
            else:
                unmatched += 1
    total = matched + unmatched
    return dict(agreement=100.0 * matched / total if total else 100.0,
                matched=matched, unmatched=unmatched, borderline=borderline)


def evaluate_det(preds: Sequence[Detections],
                 gts: Sequence[List[Instance]],
                 img_shape: Sequence[int] = (64, 84)) -> Dict[str, float]:
    """mmdet ``CocoMetric`` (bbox, as tools/test.py reports it).

    Args:
        preds: Detections per image.
        gts: Ground-truth instances ``(class, (x1, y1, x2, y2))`` per image.
        img_shape: ``(H, W)`` of the images.

    Returns:
        The metric's figures (``bbox_mAP``, ``bbox_mAP_50``, ...).
    """
    metric = CocoMetric(metric='bbox')
    metric.dataset_meta = dict(classes=DIGITS)
    samples = []
    for img_id, (pred, gt) in enumerate(zip(preds, gts)):
        samples.append(dict(
            img_id=img_id, ori_shape=tuple(img_shape),
            pred_instances=dict(
                bboxes=torch.from_numpy(np.asarray(pred['bboxes'])),
                scores=torch.from_numpy(np.asarray(pred['scores'])),
                labels=torch.from_numpy(np.asarray(pred['labels']))),
            instances=[dict(bbox=list(box), bbox_label=cls, ignore_flag=0)
                       for cls, box in gt]))
    metric.process({}, samples)
    return metric.compute_metrics(metric.results)
