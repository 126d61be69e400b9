"""IoU metric that also reports the digit mIoU published results use."""
import os.path as osp
from typing import Dict, Iterable, Optional, Sequence

import numpy as np
import torch
from mmseg.evaluation import IoUMetric
from mmseg.registry import METRICS
from PIL import Image

from m2nist_core.splits import sample_name


@METRICS.register_module()
class DigitIoUMetric(IoUMetric):
    """``IoUMetric`` plus ``IoU.<class>`` and ``digit_mIoU``, the mean IoU
    (%) of the digit classes (all but ``background`` unless
    ``digit_classes`` names them). With ``output_dir`` each prediction is
    written as a class-index PNG named after its sample.
    """

    def __init__(self, digit_classes: Optional[Sequence[str]] = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.digit_classes = None if digit_classes is None else tuple(
            digit_classes)

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Accumulate areas; write predictions to ``output_dir`` if set."""
        output_dir, self.output_dir = self.output_dir, None
        try:
            super().process(data_batch, data_samples)
        finally:
            self.output_dir = output_dir
        if output_dir is None:
            return
        for sample in data_samples:
            stem = sample_name(sample['img_path'], sample.get('img_idx'))
            pred = sample['pred_sem_seg']['data'].squeeze().cpu().numpy()
            Image.fromarray(pred.astype(np.uint8)).save(
                osp.join(output_dir, f'{stem}.png'))

    def _digit_indices(self, classes: Sequence[str]) -> list:
        names = self.digit_classes or [c for c in classes if c != 'background']
        unknown = [c for c in names if c not in classes]
        if unknown:
            raise ValueError(f'DigitIoUMetric: digit_classes {unknown} are '
                             f'not classes of the data set {tuple(classes)}')
        return [list(classes).index(c) for c in names]

    def compute_metrics(self, results: list) -> Dict[str, float]:
        metrics = super().compute_metrics(results)
        if self.format_only:
            return metrics
        classes = self.dataset_meta['classes']
        inter = sum(r[0] for r in results).double().numpy()
        union = sum(r[1] for r in results).double().numpy()
        with np.errstate(invalid='ignore', divide='ignore'):
            iou = inter / union
        digits = self._digit_indices(classes)
        metrics['digit_mIoU'] = float(np.round(np.nanmean(iou[digits]) * 100,
                                               2))
        metrics.update({
            f'IoU.{name}': float(np.round(iou[i] * 100, 2))
            for i, name in enumerate(classes)
        })
        return metrics


def class_map_metrics(preds: Iterable[np.ndarray], gts: Iterable[np.ndarray],
                      classes: Sequence[str]) -> Dict[str, float]:
    """``DigitIoUMetric``'s figures (%) of predicted class-index maps
    against the true ones, as tools/test.py reports them: ``digit_mIoU``,
    ``mIoU``, ``aAcc`` and ``IoU.<class>`` (``classes``: background
    included)."""
    metric = DigitIoUMetric(iou_metrics=['mIoU'])
    metric.dataset_meta = dict(classes=tuple(classes))
    metric.process({}, [
        dict(pred_sem_seg=dict(data=torch.from_numpy(p.astype(np.int64))),
             gt_sem_seg=dict(data=torch.from_numpy(g.astype(np.int64))))
        for p, g in zip(preds, gts)
    ])
    return metric.compute_metrics(metric.results)
