"""A segmentation visualiser that also draws grey images."""
from typing import Optional

import numpy as np
from mmseg.registry import VISUALIZERS
from mmseg.structures import SegDataSample
from mmseg.visualization import SegLocalVisualizer


@VISUALIZERS.register_module()
class DigitSegLocalVisualizer(SegLocalVisualizer):
    """``SegLocalVisualizer`` that takes ``(H, W)`` and ``(H, W, 1)`` images.

    mmseg's visualiser blends a colour mask into an RGB image; digit images
    are grey, and ``MMSegInferencer`` hands it the input array as given.
    Grey images are repeated into three channels; everything else is the
    stock behaviour.
    """

    def add_datasample(self,
                       name: str,
                       image: np.ndarray,
                       data_sample: Optional[SegDataSample] = None,
                       *args,
                       **kwargs) -> None:
        """Draw ``data_sample`` on ``image`` (grey or RGB); see
        ``SegLocalVisualizer.add_datasample``."""
        if image.ndim == 3 and image.shape[2] == 1:
            image = image[..., 0]
        if image.ndim == 2:
            image = np.repeat(image[..., None], 3, axis=2)
        super().add_datasample(name, image, data_sample, *args, **kwargs)
