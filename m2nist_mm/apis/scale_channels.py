"""Scale-channel inference: one segmenter run on rescaled copies of an image.

Each *channel* rescales the image by a factor (bicubic up, area-averaged
down, as the generator rescales digits), runs the model exactly as
``tools/test.py`` would (its data preprocessor: normalisation, padding to
the size divisor; logits cropped and resized back to the image), and the
channels' class probabilities are fused: ``'max'`` takes per pixel the
class of the most confident channel (max pooling over scales, as in
Jansson & Lindeberg's scale-channel networks), ``'mean'`` averages them
per pixel, ``'select'`` keeps per image the one channel whose mean
confidence (highest class probability) over the image's ink (pixels > 0;
the whole image if it has none) is highest. One factor ``(1.0,)`` is plain
single-scale inference.
"""
from typing import Optional, Sequence

import numpy as np
import torch
from mmseg.structures import SegDataSample

from m2nist_mm.models.segmentors import rescale

FUSIONS = ('max', 'mean', 'select')


def check_channels(factors: Sequence[float], fusion: str) -> None:
    """Refuse empty or non-positive factors and unknown fusions.

    Args:
        factors: The scale channels' rescaling factors.
        fusion: One of :data:`FUSIONS`.

    Raises:
        ValueError: Either is invalid.
    """
    if not factors or not all(
            isinstance(f, (int, float)) and f > 0 for f in factors):
        raise ValueError(f'scale channels: factors must be positive numbers,'
                         f' got {factors!r}')
    if fusion not in FUSIONS:
        raise ValueError(f'scale channels: fusion must be one of {FUSIONS}, '
                         f'got {fusion!r}')


def rescale_batch(images: torch.Tensor, factor: float) -> torch.Tensor:
    """Rescale a batch: bicubic up (clamped to 0-255), area down.

    Args:
        images: Grey values ``(B, 1, H, W)``, 0-255.
        factor: The rescaling factor.

    Returns:
        ``(B, 1, round(H * factor), round(W * factor))``.
    """
    return rescale(images, factor, 0, 255)


@torch.no_grad()
def channel_probs(model: torch.nn.Module, images: torch.Tensor,
                  factor: float) -> torch.Tensor:
    """Class probabilities of one scale channel, at the image size.

    Args:
        model: An mmseg segmentor.
        images: Grey values ``(B, 1, H, W)``, 0-255.
        factor: The channel's rescaling factor.

    Returns:
        Softmax probabilities ``(B, C, H, W)``.
    """
    h, w = images.shape[-2:]
    scaled = rescale_batch(images, factor)
    samples = [
        SegDataSample(
            metainfo=dict(
                ori_shape=(h, w), img_shape=tuple(scaled.shape[-2:])))
        for _ in range(len(images))
    ]
    data = model.data_preprocessor(
        dict(inputs=list(scaled), data_samples=samples), False)
    # the segmenter's own scores (EncoderDecoder.predict): a segmentor
    # that names digits whole is read before its classifier names them
    metas = [s.metainfo for s in data['data_samples']]
    out = model.postprocess_result(
        model.inference(data['inputs'], metas), data['data_samples'])
    return torch.stack([s.seg_logits.data for s in out]).softmax(1)


def fuse(probs: Sequence[torch.Tensor],
         fusion: str,
         ink: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Fuse the channels' probabilities into class indices.

    Args:
        probs: Each channel's ``(B, C, H, W)`` probabilities.
        fusion: ``'max'`` or ``'mean'`` over channels, or ``'select'``
            (per image, the channel most confident on its ink).
        ink: ``(B, H, W)`` bool, the pixels ``'select'`` scores on (all
            pixels when None or when an image has no ink).

    Returns:
        Class indices ``(B, H, W)``.
    """
    if fusion == 'max':
        return torch.stack(probs).amax(0).argmax(1)
    if fusion == 'mean':
        return torch.stack(probs).mean(0).argmax(1)
    if ink is None:
        ink = torch.ones_like(probs[0][:, 0], dtype=torch.bool)
    ink = ink | ~ink.flatten(1).any(1)[:, None, None]  # no ink: everywhere
    confidence = torch.stack([(p.amax(1) * ink).sum((1, 2)) / ink.sum((1, 2))
                              for p in probs])
    best = confidence.argmax(0)
    return torch.stack([probs[k][i]
                        for i, k in enumerate(best.tolist())]).argmax(1)


@torch.no_grad()
def predict_scales(model: torch.nn.Module,
                   images: np.ndarray,
                   factors: Sequence[float] = (1.0, ),
                   fusion: str = 'max',
                   batch_pixels: int = 2**17) -> np.ndarray:
    """Segment images with scale channels.

    Args:
        model: An mmseg segmentor.
        images: Grey images ``(N, H, W)``.
        factors: The channels' rescaling factors.
        fusion: How channels are fused (:func:`fuse`).
        batch_pixels: About how many image pixels a batch holds.

    Returns:
        Class-index maps ``(N, H, W)``, ``uint8``.

    Raises:
        ValueError: Bad factors or fusion, or images not ``(N, H, W)``.
    """
    check_channels(factors, fusion)
    if images.ndim != 3:
        raise ValueError(f'images must be (N, H, W) grey, got shape '
                         f'{images.shape}')
    preds = np.empty(images.shape, np.uint8)
    step = max(1, batch_pixels // (images.shape[1] * images.shape[2]))
    for start in range(0, len(images), step):
        batch = torch.from_numpy(
            np.ascontiguousarray(images[start:start + step], np.float32))[:,
                                                                          None]
        probs = [channel_probs(model, batch, f) for f in factors]
        preds[start:start + len(batch)] = fuse(probs, fusion, batch[:, 0]
                                               > 0).numpy()
    return preds
