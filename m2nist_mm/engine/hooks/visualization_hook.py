"""Segmentation visualisation for array-backed data sets."""
from typing import Sequence

from mmengine.runner import Runner
from mmseg.engine import SegVisualizationHook
from mmseg.registry import HOOKS
from mmseg.structures import SegDataSample

from .batch_samples import draw_batch


@HOOKS.register_module()
class ArraySegVisualizationHook(SegVisualizationHook):
    """``SegVisualizationHook`` that draws the batch's own images (array
    data sets have no image file to re-read), truth and prediction side by
    side, named ``<mode>_<image file stem>_<img_idx>``.
    """

    def _after_iter(self, runner: Runner, batch_idx: int, data_batch: dict,
                    outputs: Sequence[SegDataSample],
                    mode: str = 'val') -> None:
        if self.draw is False or mode == 'train':
            return
        if not self.every_n_inner_iters(batch_idx, self.interval):
            return
        draw_batch(self, runner, data_batch, outputs, mode)
