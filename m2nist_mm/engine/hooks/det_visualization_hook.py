"""Detection visualisation for array-backed data sets."""
from typing import Sequence

from mmdet.engine.hooks import DetVisualizationHook
from mmdet.registry import HOOKS
from mmdet.structures import DetDataSample
from mmengine.runner import Runner

from .batch_samples import draw_batch


@HOOKS.register_module()
class ArrayDetVisualizationHook(DetVisualizationHook):
    """``DetVisualizationHook`` that draws the batch's own images (array
    data sets have no image file to re-read), truth and prediction (scores
    above ``score_thr``) side by side, named ``<mode>_<image file
    stem>_<img_idx>``.
    """

    def _draw(self, runner: Runner, data_batch: dict,
              outputs: Sequence[DetDataSample], mode: str) -> None:
        draw_batch(self, runner, data_batch, outputs, mode,
                   pred_score_thr=self.score_thr)

    def after_val_iter(self, runner: Runner, batch_idx: int,
                       data_batch: dict,
                       outputs: Sequence[DetDataSample]) -> None:
        if self.draw and self.every_n_inner_iters(batch_idx, self.interval):
            self._draw(runner, data_batch, outputs, 'val')

    def after_test_iter(self, runner: Runner, batch_idx: int,
                        data_batch: dict,
                        outputs: Sequence[DetDataSample]) -> None:
        if self.draw:
            self._draw(runner, data_batch, outputs, 'test')
