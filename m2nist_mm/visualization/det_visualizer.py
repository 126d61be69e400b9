"""A detection visualiser that draws readable digit boxes."""
from typing import Optional

import numpy as np
from mmdet.registry import VISUALIZERS
from mmdet.structures import DetDataSample
from mmdet.visualization import DetLocalVisualizer

from m2nist_core.inference.visualize import det_panels
from .local_visualizer import PanelScale, grey, publish


@VISUALIZERS.register_module()
class DigitDetLocalVisualizer(PanelScale, DetLocalVisualizer):
    """``DetLocalVisualizer`` whose pictures can be read: truth |
    prediction, each ``scale`` times enlarged (nearest) and titled, every
    box in its digit's colour labelled ``digit score``, over a legend.

    Args:
        scale: Enlargement of each panel.
        **kwargs: ``DetLocalVisualizer``'s arguments.
    """

    def add_datasample(self,
                       name: str,
                       image: np.ndarray,
                       data_sample: Optional[DetDataSample] = None,
                       draw_gt: bool = True,
                       draw_pred: bool = True,
                       show: bool = False,
                       wait_time: float = 0,
                       out_file: Optional[str] = None,
                       pred_score_thr: float = 0.3,
                       step: int = 0) -> None:
        """Draw ``data_sample``'s boxes on ``image``; see
        ``DetLocalVisualizer.add_datasample`` (boxes only: no masks)."""
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
        drawn = det_panels(grey(image), truth, pred, self.scale)
        publish(self, name, drawn[..., ::-1].copy(), show, wait_time,
                out_file, step)
