"""RTMDet whose boxes are fitted to the ink and named by the digit
classifier of the segmentors: each box takes the classifier's most probable
digit, its score RTMDet's times that probability (docs/detection.md,
"Digits named whole, boxes fitted to the ink").
"""
from typing import Optional, Tuple

import numpy as np
import torch
from mmdet.models.detectors import RTMDet
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample, SampleList
from torch import Tensor

from m2nist_core.naming import box_crops, name_boxes
from ..naming import DigitNamingMixin, input_norm


@MODELS.register_module()
class DigitNamingRTMDet(DigitNamingMixin, RTMDet):
    """``RTMDet`` whose boxes are fitted to the ink and named by a digit
    classifier.

    Args:
        digit_classifier, extra_digits, naming_loss_weight, crop_repeats,
        crop_augment, train_digits, label_smoothing: The classifier and
            how it trains
            (:meth:`..naming.DigitNamingMixin.init_naming`); the
            classifier is built in mmseg's registry
            (``type='mmseg.DigitCNN'``).
        ink_level: Pixels of the normalised input above it are ink.
        **kwargs: ``RTMDet``'s arguments.
    """

    def __init__(self,
                 digit_classifier: dict,
                 extra_digits: Optional[dict] = None,
                 naming_loss_weight: float = 1.0,
                 crop_repeats: int = 1,
                 crop_augment: Optional[dict] = None,
                 train_digits: Optional[int] = None,
                 label_smoothing: float = 0.1,
                 ink_level: float = 0.0,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.init_naming(digit_classifier, extra_digits, naming_loss_weight,
                         crop_repeats, crop_augment, train_digits,
                         label_smoothing)
        if not isinstance(ink_level, (int, float)):
            raise ValueError(f'{type(self).__name__}: ink_level must be a '
                             f'number, got {ink_level!r}')
        self.ink_level = float(ink_level)

    def sample_crops(self, image: np.ndarray,
                     sample: DetDataSample) -> Tuple[np.ndarray, np.ndarray]:
        """Crops ``(K, 28, 28)`` of a training image's ground-truth boxes,
        and their classes."""
        gt = sample.gt_instances
        return (box_crops(image, gt.bboxes.cpu().numpy(), self.ink_level),
                gt.labels.cpu().numpy().astype(np.int64))

    TRAIN_INFO_KEYS = frozenset({'img', 'instances'})

    def info_crops(self, info: dict) -> Tuple[np.ndarray, np.ndarray]:
        """Crops ``(K, 28, 28)`` uint8 of the boxes of a training sample's
        ``instances`` in its grey ``img`` array, as ``sample_crops`` crops
        them, and their classes."""
        kept = [i for i in info['instances'] if not i.get('ignore_flag')]
        boxes = np.array([i['bbox'] for i in kept], np.float64).reshape(-1, 4)
        mean, std = input_norm(self.data_preprocessor)
        crops = box_crops(info['img'].astype(np.float32), boxes,
                          self.ink_level * std + mean)
        return (crops.round().astype(np.uint8),
                np.array([i['bbox_label'] for i in kept], np.int64))

    def predict(self,
                batch_inputs: Tensor,
                batch_data_samples: SampleList,
                rescale: bool = True) -> SampleList:
        """RTMDet's boxes, each fitted to its digit's ink and named by the
        classifier (label: its most probable digit; score: RTMDet's times
        that probability)."""
        samples = super().predict(batch_inputs, batch_data_samples, rescale)
        for inputs, sample in zip(batch_inputs, samples):
            pred = sample.pred_instances
            if not len(pred):
                continue
            # rescaled boxes are in the original image's pixels, the ink
            # is in the input's
            scale = pred.bboxes.new_tensor(
                sample.metainfo['scale_factor'] if rescale else
                (1.0, 1.0)).repeat((1, 2))
            h, w = sample.metainfo['img_shape'][:2]
            image = inputs[0, :h, :w].float().cpu().numpy()
            boxes, probs = name_boxes(image,
                                      (pred.bboxes * scale).cpu().numpy(),
                                      self.classify, self.ink_level)
            top, labels = torch.from_numpy(probs).to(pred.scores).max(1)
            pred.bboxes = torch.from_numpy(boxes).to(pred.bboxes) / scale
            pred.scores = pred.scores * top
            pred.labels = labels
        return samples
