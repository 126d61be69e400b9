"""The digit classifier of a model that names each digit whole, and how it
trains: shared by ``DigitNamingEncoderDecoder`` and ``DigitNamingRTMDet``
(docs/segmentation.md, "Naming each digit whole").
"""
import math
from typing import Iterable, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.model import BaseDataPreprocessor
from mmseg.registry import MODELS
from torch import Tensor

from m2nist_core.naming import CROP_SIZE

#: ``extra_digits``' keys: required, and all allowed.
EXTRA_KEYS, EXTRA_OPTIONAL = {'mnist_root', 'num'}, {'sources'}


def input_norm(preprocessor: BaseDataPreprocessor) -> Tuple[float, float]:
    """The ``(mean, std)`` a model's data preprocessor normalises its grey
    inputs with (``(0, 1)`` when it does not normalise)."""
    if not preprocessor._enable_normalize:
        return 0.0, 1.0
    return (float(preprocessor.mean.flatten()[0]),
            float(preprocessor.std.flatten()[0]))


def random_affine(crops: Tensor, max_rotate: float,
                  scale_range: Tuple[float, float], max_shear: float,
                  max_shift: float) -> Tensor:
    """``(K, 1, S, S)`` crops each rotated (up to ``max_rotate`` degrees),
    scaled (uniform in ``scale_range``), sheared horizontally and shifted
    (up to ``max_shift`` pixels) at random (torch's generator)."""
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


class DigitNamingMixin:
    """A digit classifier inside a segmentor or detector.

    The model calls :meth:`init_naming` in its ``__init__`` (after its
    ``data_preprocessor`` exists), gives the crops of one training image's
    digits (``sample_crops``) for the classifier's loss, which :meth:`loss`
    adds to the model's, and calls :meth:`classify` to name digits. For
    ``train_digits`` it also crops the digits of one training sample's
    data info (``info_crops``, from the keys ``TRAIN_INFO_KEYS``).

    Args (of :meth:`init_naming`):
        digit_classifier: The classifier's config (e.g. ``DigitCNN``): it
            maps ``(K, 1, 28, 28)`` crops to ``(K, 10)`` logits.
        extra_digits: Extra training digits, or None (the training images'
            digits only): ``dict(mnist_root=DIR, num=N)`` draws ``N`` per
            iteration from the MNIST train digits (rows 0-49999) that no
            M2NIST validation or test image holds (``sources``: another
            sources table than the real M2NIST's,
            :func:`m2nist_core.datagen.pools.m2nist_free_pool`); MNIST
            t10k is never trained on.
        train_digits: None (the batch's digits only), or ``N``: each
            iteration also draws ``N`` crops from every true digit of the
            training set, undistorted (the random affine of every crop still
            applies), so that a step sees many digits, not only the
            batch's few. ``TrainDigitsHook`` hands them over before
            training (:meth:`set_train_digits`), the crops the model's
            ``info_crops`` makes of each sample's ``TRAIN_INFO_KEYS``.
        naming_loss_weight: Weight of the classifier's loss.
        label_smoothing: Label smoothing of the classifier's
            cross-entropy (0.1 named digits better than 0: docs/
            segmentation.md, "Naming each digit whole").
        crop_repeats: Each digit of the batch's images enters the
            classifier this many times per iteration, under other random
            affines (the model needs fewer passes over the images than the
            classifier over their digits).
        crop_augment: ``random_affine``'s arguments for every training
            crop.
    """

    #: The data info keys ``info_crops`` crops a sample's digits from.
    TRAIN_INFO_KEYS: frozenset = frozenset()

    def init_naming(self, digit_classifier: dict,
                    extra_digits: Optional[dict] = None,
                    naming_loss_weight: float = 1.0, crop_repeats: int = 1,
                    crop_augment: Optional[dict] = None,
                    train_digits: Optional[int] = None,
                    label_smoothing: float = 0.1) -> None:
        """Build the classifier and check the training settings."""
        name = type(self).__name__
        self.digit_classifier = MODELS.build(digit_classifier)
        if extra_digits is not None and not (
                isinstance(extra_digits, dict) and EXTRA_KEYS <= set(
                    extra_digits) <= EXTRA_KEYS | EXTRA_OPTIONAL):
            raise ValueError(f'{name}: extra_digits must be None or '
                             'dict(mnist_root=..., num=...[, sources=...]), '
                             f'got {extra_digits!r}')
        if train_digits is not None and not (
                isinstance(train_digits, int) and train_digits >= 1):
            raise ValueError(f'{name}: train_digits must be None or an int '
                             f'>= 1, got {train_digits!r}')
        if not (isinstance(crop_repeats, int) and crop_repeats >= 1):
            raise ValueError(f'{name}: crop_repeats must be an int >= 1, '
                             f'got {crop_repeats!r}')
        self.extra_digits = extra_digits
        self.train_digits = train_digits
        self._extra_pool: Optional[Tuple[Tensor, Tensor]] = None
        self._train_pool: Optional[Tuple[Tensor, Tensor]] = None
        if not (isinstance(label_smoothing, (int, float))
                and 0 <= label_smoothing < 1):
            raise ValueError(f'{name}: label_smoothing must be a number in '
                             f'[0, 1), got {label_smoothing!r}')
        self.naming_loss_weight = naming_loss_weight
        self.label_smoothing = float(label_smoothing)
        self.crop_repeats = crop_repeats
        self.crop_augment = dict(max_rotate=15, scale_range=(0.85, 1.15),
                                 max_shear=0.2, max_shift=2.0,
                                 **(crop_augment or {}))

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

    def set_train_digits(self, infos: Iterable[dict]) -> None:
        """Keep the crops of every digit of the training set's samples
        (data infos holding the keys :attr:`TRAIN_INFO_KEYS`; the model's
        ``info_crops`` crops them), for ``train_digits``."""
        crops = [np.zeros((0, CROP_SIZE, CROP_SIZE), np.uint8)]
        classes = [np.zeros(0, np.int64)]
        for info in infos:
            info_crops, info_classes = self.info_crops(info)
            crops.append(info_crops)
            classes.append(info_classes)
        self._train_pool = (torch.from_numpy(np.concatenate(crops)),
                            torch.from_numpy(np.concatenate(classes)))

    def train_pool(self) -> Tuple[Tensor, Tensor]:
        """The training set's digit crops ``(N, 28, 28)`` uint8 and their
        classes.

        Raises:
            RuntimeError: :meth:`set_train_digits` was not called.
        """
        if self._train_pool is None:
            raise RuntimeError(
                f'{type(self).__name__}: train_digits={self.train_digits} '
                'needs the training set\'s digits before training: add '
                "dict(type='TrainDigitsHook') to the config's hooks")
        return self._train_pool

    def training_crops(self, inputs: Tensor,
                       data_samples: list) -> Tuple[Tensor, Tensor]:
        """The classifier's training batch: the digit crops ``(K, S, S)``
        of each training image (the model's ``sample_crops``), each
        ``crop_repeats`` times, then the training set's and the extra
        digits drawn for this step (normalised as the inputs are).

        Returns:
            ``(K', 1, S, S)`` crops (``inputs``' dtype and device) and
            ``(K', )`` classes.
        """
        images = inputs[:, 0].detach().float().cpu().numpy()
        crops, classes = zip(*(self.sample_crops(image, sample)
                               for image, sample in zip(images,
                                                        data_samples)))
        crops = torch.from_numpy(np.concatenate(crops)).repeat(
            self.crop_repeats, 1, 1)
        classes = torch.from_numpy(np.concatenate(classes)).repeat(
            self.crop_repeats)
        mean, std = input_norm(self.data_preprocessor)
        for pool, num in ((self.train_pool, self.train_digits),
                          (self.extra_pool, (self.extra_digits or {}).get(
                              'num'))):
            if num is None:
                continue
            digits, labels = pool()
            idx = torch.randint(len(labels), (num, ))
            crops = torch.cat([crops, (digits[idx].float() - mean) / std])
            classes = torch.cat([classes, labels[idx]])
        return crops[:, None].to(inputs), classes.to(inputs.device)

    def loss(self, inputs: Tensor, data_samples: list) -> dict:
        """The model's losses and the classifier's (``loss_naming``, with
        its accuracy on the batch's crops, ``acc_naming``)."""
        losses = super().loss(inputs, data_samples)
        losses.update(
            self.naming_loss(*self.training_crops(inputs, data_samples)))
        return losses

    def naming_loss(self, crops: Tensor, classes: Tensor) -> dict:
        """``loss_naming`` (label-smoothed cross-entropy on the randomly
        warped crops) and ``acc_naming`` (percent right); empty without
        crops."""
        if not len(classes):
            return {}
        logits = self.digit_classifier(
            random_affine(crops, **self.crop_augment))
        return dict(
            loss_naming=self.naming_loss_weight *
            F.cross_entropy(logits, classes,
                            label_smoothing=self.label_smoothing),
            acc_naming=(logits.argmax(1) == classes).float().mean() * 100)

    def classify(self, crops: np.ndarray) -> np.ndarray:
        """``(K, 10)`` probabilities of ``(K, 1, S, S)`` crops."""
        param = next(self.digit_classifier.parameters())
        with torch.no_grad():
            logits = self.digit_classifier(
                torch.from_numpy(crops).to(param))
        return logits.softmax(1).float().cpu().numpy()
