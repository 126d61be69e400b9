"""A segmentor that names each digit once, by a classifier that sees it
whole.

A segmenter decides per pixel: its foreground is near perfect, but a digit
it half-knows comes out partly in one class and partly in another, or
wholly in the wrong one. :class:`DigitNamingEncoderDecoder` keeps mmseg's
``EncoderDecoder`` for the foreground and adds a digit classifier:

- **Training** (one loop, one checkpoint): the segmentation losses, plus
  the classifier's cross-entropy on a 28x28 crop of every digit of the
  batch's training images (the components of each class in the ground
  truth, centred on their centre of ink mass, other ink blanked, as MNIST
  centres its digits), each ``crop_repeats`` times, and, when
  ``extra_digits`` names them, on MNIST train digits that no M2NIST
  validation or test image holds. Every crop is rotated, scaled, sheared
  and shifted at random.
- **Inference**: the foreground (pixels whose most probable class is not
  background) is grouped into digits, each digit is cropped the same way
  and named by the classifier, and each of its pixels takes that name
  (:mod:`m2nist_core.naming`, which the runtime for exported models
  shares). The scores a ``predict`` returns are the classifier's
  probabilities on digit pixels and the segmenter's on background pixels.

Exported, the graph is the segmenter; the classifier is a second graph
(``digit_classifier.onnx``) and the grouping runs in the runtime.
"""
import math
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import MODELS
from mmseg.utils import ConfigType, OptSampleList, SampleList
from torch import Tensor

from m2nist_core.naming import (CROP_SIZE, MAX_WIDTH, digit_crops, name_digits,
                                true_digits)


def random_affine(crops: Tensor, max_rotate: float,
                  scale_range: Tuple[float, float], max_shear: float,
                  max_shift: float) -> Tensor:
    """Each crop rotated, scaled, sheared and shifted at random (torch's
    generator).

    Args:
        crops: ``(K, 1, S, S)``.
        max_rotate: Largest rotation, degrees.
        scale_range: Scale drawn uniformly in this range.
        max_shear: Largest horizontal shear.
        max_shift: Largest shift, pixels.

    Returns:
        ``(K, 1, S, S)``.
    """
    k, size = crops.shape[0], crops.shape[-1]

    def uniform(low: float, high: float) -> Tensor:
        return torch.rand(k) * (high - low) + low

    angle = uniform(-max_rotate, max_rotate) * math.pi / 180
    scale = uniform(*scale_range)
    shear = uniform(-max_shear, max_shear)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([
        torch.stack([cos, -sin + shear, uniform(-1, 1) * max_shift * 2 /
                     size], 1),
        torch.stack([sin, cos, uniform(-1, 1) * max_shift * 2 / size], 1)
    ], 1).to(crops)
    grid = F.affine_grid(theta, list(crops.shape), align_corners=False)
    return F.grid_sample(crops, grid, align_corners=False)


@MODELS.register_module()
class DigitNamingEncoderDecoder(EncoderDecoder):
    """``EncoderDecoder`` whose digits are named whole by a classifier.

    Args:
        digit_classifier: The classifier's config (e.g. ``DigitCNN``): it
            maps ``(K, 1, 28, 28)`` crops to ``(K, 10)`` logits.
        extra_digits: Extra training digits for the classifier, or None
            (the training images' digits only): ``dict(mnist_root=DIR,
            num=N)`` draws ``N`` per iteration from the MNIST train digits
            (rows 0-49999) that no M2NIST validation or test image holds
            (``sources``: another sources table than the real M2NIST's,
            :func:`m2nist_core.datagen.pools.m2nist_free_pool`); MNIST
            t10k is never trained on.
        naming_loss_weight: Weight of the classifier's loss.
        min_crop_pixels: Ground-truth components smaller than this are not
            trained on (the visible corner of a covered digit).
        crop_repeats: Each digit of the batch's images enters the
            classifier this many times per iteration, under other random
            affines (the segmenter needs fewer passes over the images than
            the classifier over their digits).
        crop_augment: ``random_affine``'s arguments for every training
            crop.
        ink_level: The foreground is the ink regions (input values above
            this) that hold a pixel the segmenter calls a digit
            (:func:`m2nist_core.naming.ink_regions`); None: the segmenter's
            pixels as they are.
        min_piece: Foreground pieces smaller than this join the nearest
            digit (:func:`m2nist_core.naming.connected_digits`).
        max_width: Wider groups are cut into digits
            (:func:`m2nist_core.naming.split_wide`).
        background: The background class index.
        **kwargs: ``EncoderDecoder``'s arguments.
    """

    def __init__(self,
                 digit_classifier: ConfigType,
                 extra_digits: Optional[dict] = None,
                 naming_loss_weight: float = 1.0,
                 min_crop_pixels: int = 30,
                 crop_repeats: int = 1,
                 crop_augment: Optional[dict] = None,
                 ink_level: Optional[float] = 0.0,
                 min_piece: int = 12,
                 max_width: int = MAX_WIDTH,
                 background: int = -1,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.digit_classifier = MODELS.build(digit_classifier)
        if extra_digits is not None and not (
                {'mnist_root', 'num'} <= set(extra_digits) <=
                {'mnist_root', 'num', 'sources'}):
            raise ValueError(f'{type(self).__name__}: extra_digits must be '
                             'None or dict(mnist_root=..., num=...[, '
                             f'sources=...]), got {extra_digits!r}')
        self.extra_digits = extra_digits
        self._extra_pool: Optional[Tuple[Tensor, Tensor]] = None
        self.naming_loss_weight = naming_loss_weight
        self.min_crop_pixels = min_crop_pixels
        if not (isinstance(crop_repeats, int) and crop_repeats >= 1):
            raise ValueError(f'{type(self).__name__}: crop_repeats must be '
                             f'an int >= 1, got {crop_repeats!r}')
        self.crop_repeats = crop_repeats
        self.crop_augment = dict(max_rotate=15, scale_range=(0.85, 1.15),
                                 max_shear=0.2, max_shift=2.0,
                                 **(crop_augment or {}))
        self.ink_level = ink_level
        self.min_piece, self.max_width = min_piece, max_width
        self.background = background % self.num_classes

    # training
    def extra_pool(self) -> Tuple[Tensor, Tensor]:
        """The extra training digits ``(N, 28, 28)`` uint8 and their
        classes, read once."""
        if self._extra_pool is None:
            from m2nist_core.datagen.pools import m2nist_free_pool
            pool = m2nist_free_pool(self.extra_digits['mnist_root'], 'train',
                                    'val_test',
                                    sources=self.extra_digits.get('sources'))
            self._extra_pool = (torch.from_numpy(pool.digits),
                                torch.from_numpy(pool.labels.astype(np.int64)))
        return self._extra_pool

    def training_crops(self, inputs: Tensor,
                       data_samples: SampleList) -> Tuple[Tensor, Tensor]:
        """Crops ``(K, 1, 28, 28)`` of the batch's true digits (and extra
        digits), and their classes."""
        images = inputs[:, 0].detach().float().cpu().numpy()
        crops, classes = [], []
        for image, sample in zip(images, data_samples):
            mask = sample.gt_sem_seg.data[0].cpu().numpy()
            labels, cls = true_digits(mask, self.min_crop_pixels)
            crops.append(digit_crops(image, labels))
            classes.append(cls)
        crops = torch.from_numpy(np.concatenate(crops)).repeat(
            self.crop_repeats, 1, 1)
        classes = torch.from_numpy(np.concatenate(classes)).repeat(
            self.crop_repeats)
        if self.extra_digits is not None:
            digits, labels = self.extra_pool()
            idx = torch.randint(len(labels), (self.extra_digits['num'], ))
            pre = self.data_preprocessor  # normalised as the inputs are
            mean, std = (float(pre.mean.flatten()[0]), float(
                pre.std.flatten()[0])) if pre._enable_normalize else (0., 1.)
            crops = torch.cat([crops, (digits[idx].float() - mean) / std])
            classes = torch.cat([classes, labels[idx]])
        return crops[:, None].to(inputs), classes.to(inputs.device)

    def loss(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """The segmentation losses and the classifier's (``loss_naming``,
        with its accuracy on the batch's crops, ``acc_naming``)."""
        losses = super().loss(inputs, data_samples)
        crops, classes = self.training_crops(inputs, data_samples)
        if len(classes):
            logits = self.digit_classifier(
                random_affine(crops, **self.crop_augment))
            losses['loss_naming'] = self.naming_loss_weight * \
                F.cross_entropy(logits, classes)
            losses['acc_naming'] = (logits.argmax(1) == classes).float().mean(
            ) * 100
        return losses

    # inference
    def classify(self, crops: np.ndarray) -> np.ndarray:
        """``(K, 10)`` probabilities of ``(K, 1, 28, 28)`` crops."""
        param = next(self.digit_classifier.parameters())
        with torch.no_grad():
            logits = self.digit_classifier(
                torch.from_numpy(crops).to(param))
        return logits.softmax(1).float().cpu().numpy()

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
