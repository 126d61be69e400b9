"""What both visualization hooks take from a batch: each sample's image
(array data sets have no image file to re-read) and name."""
from typing import Sequence

import cv2
import numpy as np
import torch

from m2nist_core.splits import sample_name


def batch_image(inputs: torch.Tensor, ori_shape: Sequence[int]) -> np.ndarray:
    """An RGB ``uint8`` image of one batch input at the original size."""
    img = inputs.cpu().numpy().transpose(1, 2, 0)
    img = img.repeat(3, axis=2) if img.shape[2] == 1 else img[..., ::-1]
    h, w = ori_shape
    if img.shape[:2] != (h, w):
        img = cv2.resize(np.ascontiguousarray(img), (w, h),
                         interpolation=cv2.INTER_NEAREST)
    return np.ascontiguousarray(img)


def draw_batch(hook, runner, data_batch: dict, outputs: Sequence, mode: str,
               **kwargs) -> None:
    """Draw every sample of a batch (its ``inputs`` and ``outputs``) with
    the hook's visualizer, ``show`` and ``wait_time``, as
    ``<mode>_<image file stem>_<img_idx>`` at the runner's iteration;
    ``kwargs`` go to ``add_datasample``."""
    for inputs, output in zip(data_batch['inputs'], outputs):
        name = sample_name(output.img_path, output.get('img_idx'))
        hook._visualizer.add_datasample(
            f'{mode}_{name}', batch_image(inputs, output.ori_shape),
            data_sample=output, show=hook.show, wait_time=hook.wait_time,
            step=runner.iter, **kwargs)
