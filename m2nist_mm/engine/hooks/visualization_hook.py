"""Segmentation visualisation for array-backed data sets."""
import os.path as osp
from typing import Sequence

from mmengine.runner import Runner
from mmseg.engine import SegVisualizationHook
from mmseg.registry import HOOKS
from mmseg.structures import SegDataSample


@HOOKS.register_module()
class ArraySegVisualizationHook(SegVisualizationHook):
    """``SegVisualizationHook`` that draws the batch's own images.

    The stock hook re-reads every image from ``img_path``; samples of array
    data sets have no image file, so this hook takes the image from the
    batch (``data_batch['inputs']``) and draws truth and prediction side by
    side. Files are named ``<mode>_<image file stem>_<img_idx>``.
    """

    def _after_iter(self,
                    runner: Runner,
                    batch_idx: int,
                    data_batch: dict,
                    outputs: Sequence[SegDataSample],
                    mode: str = 'val') -> None:
        if self.draw is False or mode == 'train':
            return
        if not self.every_n_inner_iters(batch_idx, self.interval):
            return
        for inputs, output in zip(data_batch['inputs'], outputs):
            img = inputs.cpu().numpy().transpose(1, 2, 0)
            if img.shape[2] == 1:
                img = img.repeat(3, axis=2)
            else:  # BGR as loaded -> RGB for the visualiser
                img = img[..., ::-1]
            name = osp.splitext(osp.basename(output.img_path))[0]
            if 'img_idx' in output:
                name = f'{name}_{output.img_idx:05d}'
            self._visualizer.add_datasample(
                f'{mode}_{name}',
                img,
                data_sample=output,
                show=self.show,
                wait_time=self.wait_time,
                step=runner.iter)
