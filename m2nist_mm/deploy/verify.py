"""Verify: how well an export matches PyTorch, and the refusal of one that
matches too little (segmentors compare pixels, detectors boxes).
"""
from typing import Dict, List, Sequence

import numpy as np
import torch

from m2nist_core.classes import BACKGROUND, DIGITS
from m2nist_core.inference import DeployedDetector, DeployedModel
from m2nist_core.inference.detector import Detections
from m2nist_core.instances import Instance
from ..apis.inference import torch_detect, torch_predict
from .plan import Plan
from .sdk_client import SDK_BACKENDS, sdk_detect, sdk_installed, sdk_segment


def agreement(preds: Sequence[np.ndarray],
              refs: Sequence[np.ndarray]) -> float:
    """Percentage of pixels with the same class in both."""
    same = sum(int((p == r).sum()) for p, r in zip(preds, refs))
    return 100.0 * same / sum(r.size for r in refs)


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

    Boxes scoring at least ``score_thr`` are compared; a reference box
    matches an unmatched prediction of the same class with IoU of at least
    ``min_iou`` and a score within ``score_tol`` (greedily, highest score
    first). An unmatched box within ``score_tol`` of ``score_thr`` is
    borderline (its twin may sit just below it) and not counted.

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
    """mmdet ``CocoMetric`` figures (``bbox_mAP``, ...) for ground-truth
    instances ``(class, (x1, y1, x2, y2))`` per image."""
    from mmdet.evaluation import CocoMetric
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


def _check_agreement(what: str, agree: float, needed: float, unit: str,
                     count: int, work_dir: str) -> None:
    """Raise RuntimeError if ``agree < needed`` (both %)."""
    if agree < needed:
        raise RuntimeError(
            f'{what} agrees with PyTorch on only {agree:.4f} % of the {unit} '
            f'of {count} image(s) (needed: {needed} %); {work_dir} left as '
            'it was')


#: The least agreement (%) of a naming segmentor's own per-pixel classes.
SEGMENTER_FLOOR = 95.0


def verify(plan: Plan, model: torch.nn.Module, out_dir: str,
           imgs: Sequence[np.ndarray], names: Sequence[str], device: str,
           work_dir: str) -> Dict:
    """Run the export in ``out_dir`` (the runtime, and mmdeploy's SDK when
    installed) against PyTorch; refuse it below the plan's
    ``min_agreement`` %.

    A segmentor that names digits whole is also compared by its
    segmenter's foreground, all the naming takes from it (the naming could
    hide a segmenter gone wrong); the lower agreement counts. Its
    segmenter's own per-pixel digit guesses, which never reach the output
    (int8 changes some, the named result staying equal), only need
    :data:`SEGMENTER_FLOOR` %: below it the export's pipeline is broken,
    and that figure counts.

    Args:
        model: The PyTorch reference (:func:`..apis.load_model`).
        work_dir: The final work dir (named in the refusal).

    Returns:
        dict: ``agreement`` (%), its ``unit``, ``sdk_agreement`` (None when
        the SDK was not run).

    Raises:
        RuntimeError: The runtime's or the SDK's result agrees too little.
    """
    if plan.detection:
        refs = torch_detect(model, imgs)
        runtime, sdk_run = DeployedDetector(out_dir, device), sdk_detect
        unit = 'boxes (score >= 0.3)'

        def compare(preds: list) -> float:
            return box_agreement(preds, refs)['agreement']

        found = runtime(imgs, names)
    else:
        runtime = DeployedModel(out_dir, device)
        passes = (True, False) if runtime.namer is not None else (True, )
        refs = {named: torch_predict(model, imgs, named=named)
                for named in passes}
        unit = 'pixels'

        def sdk_run(work: str, imgs: list, device: str) -> dict:
            return {named: sdk_segment(work, imgs, device, named)
                    for named in passes}

        def compare(preds: dict) -> float:
            named = agreement(preds[True], refs[True])
            if not runtime.namer:
                return named
            fg = agreement([p != BACKGROUND for p in preds[False]],
                           [r != BACKGROUND for r in refs[False]])
            own = agreement(preds[False], refs[False])
            return min(named, fg) if own >= SEGMENTER_FLOOR else own

        found = {named: [m for m, _ in runtime.predict(imgs, names, named)]
                 for named in passes}
    agree = compare(found)
    _check_agreement(f'the {plan.backend.value} model', agree,
                     plan.min_agreement, unit, len(imgs), work_dir)
    sdk_agree = None
    if plan.backend.value in SDK_BACKENDS and sdk_installed():
        sdk_agree = compare(sdk_run(out_dir, imgs, device))
        _check_agreement("mmdeploy's SDK (mmdeploy_runtime) on the export",
                         sdk_agree, plan.min_agreement, unit, len(imgs),
                         work_dir)
    return dict(agreement=agree, unit=unit, sdk_agreement=sdk_agree)
