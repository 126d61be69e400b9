"""Segmentation and detection visualisers that draw readable digit panels:
enlarged, titled, with a class legend (``m2nist_core.inference.visualize``).
"""
from typing import Optional

import mmcv
import numpy as np
from mmseg.registry import VISUALIZERS
from mmseg.structures import SegDataSample
from mmseg.visualization import SegLocalVisualizer

from m2nist_core.images import to_gray
from m2nist_core.inference.visualize import SCALE, seg_panels


def grey(image: np.ndarray) -> np.ndarray:
    """A ``(H, W)`` ``uint8`` image from a grey, ``(H, W, 1)`` or RGB one
    (visualisers take RGB; :func:`~m2nist_core.images.to_gray` BGR)."""
    rgb = image.ndim == 3 and image.shape[2] == 3
    img = to_gray(np.ascontiguousarray(image[..., ::-1]) if rgb else image)
    return np.ascontiguousarray(img).astype(np.uint8)


class PanelScale:
    """What the digit visualisers share (a mixin before the stock
    visualiser class): ``scale``, the enlargement of each panel, and an
    ``add_datasample`` that draws :meth:`panels` as the stock ones do.
    """

    def __init__(self, name: str = 'visualizer', *args, scale: int = SCALE,
                 **kwargs) -> None:
        super().__init__(name, *args, **kwargs)
        if not isinstance(scale, int) or scale < 1:
            raise ValueError(f'scale must be a positive int, got {scale!r}')
        self.scale = scale

    def add_datasample(self, name: str, image: np.ndarray, data_sample=None,
                       draw_gt: bool = True, draw_pred: bool = True,
                       show: bool = False, wait_time: float = 0,
                       out_file: Optional[str] = None, step: int = 0,
                       **kwargs) -> None:
        """Draw ``data_sample`` on a grey, ``(H, W, 1)`` or RGB ``image``;
        see the stock visualiser's ``add_datasample``."""
        drawn = self.panels(grey(image), data_sample, draw_gt, draw_pred,
                            **kwargs)[..., ::-1].copy()
        self.set_image(drawn)
        if show:
            self.show(drawn, win_name=name, wait_time=wait_time)
        if out_file is not None:
            mmcv.imwrite(mmcv.rgb2bgr(drawn), out_file)
        else:
            self.add_image(name, drawn, step)


@VISUALIZERS.register_module()
class DigitSegLocalVisualizer(PanelScale, SegLocalVisualizer):
    """``SegLocalVisualizer`` whose pictures can be read: truth |
    prediction | errors (wrong pixels in red), those it has, each ``scale``
    times enlarged and titled, over a legend of the digit colours.

    Args:
        scale: Enlargement of each panel.
        **kwargs: ``SegLocalVisualizer``'s arguments.
    """

    def panels(self, img: np.ndarray, data_sample: Optional[SegDataSample],
               draw_gt: bool, draw_pred: bool,
               with_labels: Optional[bool] = True) -> np.ndarray:
        """The BGR picture (``with_labels``: the legend, always drawn)."""
        maps = {}
        for key, wanted in (('gt_sem_seg', draw_gt),
                            ('pred_sem_seg', draw_pred)):
            if wanted and data_sample is not None and key in data_sample:
                maps[key] = data_sample.get(key).data[0].cpu().numpy()
        return seg_panels(img, maps.get('gt_sem_seg'),
                          maps.get('pred_sem_seg'), self.scale)
