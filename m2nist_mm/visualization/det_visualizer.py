"""A detection visualiser that draws readable digit boxes."""
from typing import Optional

import numpy as np
from mmdet.registry import VISUALIZERS
from mmdet.structures import DetDataSample
from mmdet.visualization import DetLocalVisualizer

from m2nist_core.inference.visualize import det_panels
from .local_visualizer import PanelScale


@VISUALIZERS.register_module()
class DigitDetLocalVisualizer(PanelScale, DetLocalVisualizer):
    """``DetLocalVisualizer`` whose pictures can be read: truth |
    prediction, each ``scale`` times enlarged (nearest) and titled, every
    box in its digit's colour labelled ``digit score``, over a legend.

    Args:
        scale: Enlargement of each panel.
        **kwargs: ``DetLocalVisualizer``'s arguments.
    """

    def panels(self, img: np.ndarray, data_sample: Optional[DetDataSample],
               draw_gt: bool, draw_pred: bool,
               pred_score_thr: float = 0.3) -> np.ndarray:
        """The BGR picture of the boxes (no masks)."""
        truth = pred = None
        if draw_gt and data_sample is not None and \
                'gt_instances' in data_sample:
            gt = data_sample.gt_instances.cpu()
            boxes = getattr(gt.bboxes, 'tensor', gt.bboxes)  # box types
            truth = dict(bboxes=boxes.numpy(), labels=gt.labels.numpy())
        if draw_pred and data_sample is not None and \
                'pred_instances' in data_sample:
            inst = data_sample.pred_instances.cpu()
            keep = (inst.scores >= pred_score_thr).numpy()
            pred = dict(bboxes=inst.bboxes.numpy()[keep],
                        labels=inst.labels.numpy()[keep],
                        scores=inst.scores.numpy()[keep])
        return det_panels(img, truth, pred, self.scale)
