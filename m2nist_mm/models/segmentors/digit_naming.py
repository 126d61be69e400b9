"""A segmentor that names each digit once, by a classifier that sees it
whole: mmseg's ``EncoderDecoder`` for the foreground, the grouping and
naming of :mod:`m2nist_core.naming`. Training, inference and the measured
reasons are in docs/segmentation.md ("Naming each digit whole").
"""
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from mmseg.utils import ConfigType, OptSampleList, SampleList
from torch import Tensor

from m2nist_core.naming import (CROP_SIZE, MAX_WIDTH, digit_crops, name_digits,
                                true_digit_crops, true_digits)
from ..naming import DigitNamingMixin


@MODELS.register_module()
class DigitNamingEncoderDecoder(DigitNamingMixin, EncoderDecoder):
    """``EncoderDecoder`` whose digits are named whole by a classifier.

    Args:
        digit_classifier, extra_digits, naming_loss_weight, crop_repeats,
        crop_augment, train_digits, label_smoothing: The classifier and
            how it trains
            (:meth:`..naming.DigitNamingMixin.init_naming`).
        min_crop_pixels: Ground-truth components smaller than this are not
            trained on (the visible corner of a covered digit).
        ink_level: See :func:`m2nist_core.naming.ink_regions`; None: the
            segmenter's pixels as they are.
        min_piece: See :func:`m2nist_core.naming.connected_digits`.
        max_width: See :func:`m2nist_core.naming.split_wide`.
        **kwargs: ``EncoderDecoder``'s arguments.
    """

    def __init__(self,
                 digit_classifier: ConfigType,
                 extra_digits: Optional[dict] = None,
                 naming_loss_weight: float = 1.0,
                 min_crop_pixels: int = 30,
                 crop_repeats: int = 1,
                 crop_augment: Optional[dict] = None,
                 train_digits: Optional[int] = None,
                 label_smoothing: float = 0.1,
                 ink_level: Optional[float] = 0.0,
                 min_piece: int = 12,
                 max_width: int = MAX_WIDTH,
                 background: int = -1,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.init_naming(digit_classifier, extra_digits, naming_loss_weight,
                         crop_repeats, crop_augment, train_digits,
                         label_smoothing)
        self.min_crop_pixels = min_crop_pixels
        self.ink_level = ink_level
        self.min_piece, self.max_width = min_piece, max_width
        self.background = background % self.num_classes

    def sample_crops(self, image: np.ndarray,
                     sample: SegDataSample) -> Tuple[np.ndarray, np.ndarray]:
        """Crops ``(K, 28, 28)`` of a training image's true digits, and
        their classes."""
        labels, classes = true_digits(
            sample.gt_sem_seg.data[0].cpu().numpy(), self.min_crop_pixels)
        return digit_crops(image, labels), classes

    TRAIN_INFO_KEYS = frozenset({'img', 'gt_seg_map'})

    def info_crops(self, info: dict) -> Tuple[np.ndarray, np.ndarray]:
        """Crops ``(K, 28, 28)`` uint8 of the true digits of a training
        sample's ``img`` and ``gt_seg_map`` arrays (at least
        ``min_crop_pixels`` each), and their classes."""
        return true_digit_crops(info['img'][None], info['gt_seg_map'][None],
                                self.min_crop_pixels)

    def name(self, image: np.ndarray, foreground: np.ndarray):
        """:func:`m2nist_core.naming.name_digits` with this model's
        classifier and grouping settings."""
        return name_digits(image, foreground, self.classify, self.min_piece,
                           self.max_width, CROP_SIZE, self.ink_level)

    def named_scores(self, inputs: Tensor, seg_logits: Tensor,
                     batch_img_metas: List[Dict]) -> Tensor:
        """Scores whose arg-max names each digit whole: on digit pixels the
        classifier's probabilities for the digit (background 0), elsewhere
        the segmenter's softmax (background where the segmenter found a
        digit without ink: 1)."""
        scores = seg_logits.softmax(1)
        bg = self.background
        digit_channels = [c for c in range(self.num_classes) if c != bg]
        for i, meta in enumerate(batch_img_metas):
            h, w = (int(v) for v in meta['img_shape'][:2])
            probs = scores[i, :, :h, :w]
            foreground = (probs.argmax(0) != bg).cpu().numpy()
            image = inputs[i, 0, :h, :w].float().cpu().numpy()
            labels, digits = self.name(image, foreground)
            dropped = np.nonzero(foreground & (labels == 0))
            scores[i, :, dropped[0], dropped[1]] = 0
            scores[i, bg, dropped[0], dropped[1]] = 1
            if not digits:
                continue
            ys, xs = np.nonzero(labels)
            table = torch.from_numpy(np.stack([d.probs for d in digits])).to(
                scores)
            pixel_probs = table[torch.from_numpy(labels[ys, xs] - 1)]
            ys, xs = torch.from_numpy(ys), torch.from_numpy(xs)
            scores[i, bg, ys, xs] = 0
            for j, c in enumerate(digit_channels):
                scores[i, c, ys, xs] = pixel_probs[:, j]
        return scores

    def predict(self,
                inputs: Tensor,
                data_samples: OptSampleList = None) -> SampleList:
        """mmseg's ``predict``, each digit named by the classifier."""
        if data_samples is not None:
            batch_img_metas = [s.metainfo for s in data_samples]
        else:
            batch_img_metas = [
                dict(ori_shape=inputs.shape[2:], img_shape=inputs.shape[2:],
                     pad_shape=inputs.shape[2:], padding_size=[0, 0, 0, 0])
            ] * inputs.shape[0]
        seg_logits = self.inference(inputs, batch_img_metas)
        scores = self.named_scores(inputs, seg_logits, batch_img_metas)
        return self.postprocess_result(scores, data_samples)
