"""Detection visualisation for array-backed data sets."""
import os.path as osp
from typing import Sequence

import cv2
import numpy as np
from mmdet.engine.hooks import DetVisualizationHook
from mmdet.registry import HOOKS
from mmdet.structures import DetDataSample
from mmengine.runner import Runner


def batch_image(inputs, ori_shape: Sequence[int]) -> np.ndarray:
    """An RGB ``uint8`` image of one batch input at the original size."""
    img = inputs.cpu().numpy().transpose(1, 2, 0)
    img = img.repeat(3, axis=2) if img.shape[2] == 1 else img[..., ::-1]
    h, w = ori_shape
    if img.shape[:2] != (h, w):
        img = cv2.resize(np.ascontiguousarray(img), (w, h),
                         interpolation=cv2.INTER_NEAREST)
    return np.ascontiguousarray(img)


@HOOKS.register_module()
class ArrayDetVisualizationHook(DetVisualizationHook):
    """``DetVisualizationHook`` that draws the batch's own images.

    The stock hook re-reads every image from ``img_path``; array data sets
    have no image file, so the image is taken from the batch. Truth and
    prediction (scores above ``score_thr``) are drawn side by side, through
    the visualizer's backends (``--show-dir`` sets their ``save_dir``), as
    ``<mode>_<image file stem>_<img_idx>``.
    """

    def _draw(self, runner: Runner, data_batch: dict,
              outputs: Sequence[DetDataSample], mode: str) -> None:
        for inputs, output in zip(data_batch['inputs'], outputs):
            name = osp.splitext(osp.basename(output.img_path))[0]
            if 'img_idx' in output:
                name = f'{name}_{output.img_idx:05d}'
            self._visualizer.add_datasample(
                f'{mode}_{name}',
                batch_image(inputs, output.ori_shape),
                data_sample=output,
                show=self.show,
                wait_time=self.wait_time,
                pred_score_thr=self.score_thr,
                step=runner.iter)

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
