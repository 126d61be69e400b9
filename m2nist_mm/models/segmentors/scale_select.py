"""A segmentor that reads each image's digits at the scale it knows them.

:class:`ScaleSelectEncoderDecoder` trains as mmseg's ``EncoderDecoder``; at
inference it is a scale-channel network that selects, per image, the channel
most confident about the digits it finds. Design and measurements:
docs/scale.md.
"""
import inspect
from typing import List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmseg.models.segmentors import EncoderDecoder
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from mmseg.utils import ConfigType

from m2nist_core.resample import resize_matrix
from ..naming import input_norm
from .digit_naming import DigitNamingEncoderDecoder

#: The arguments a naming config adds to ``EncoderDecoder``'s (the
#: classifier's training and grouping settings): a scale-select config that
#: inherits such a config takes them, unused.
NAMING_ARGS = frozenset(
    inspect.signature(DigitNamingEncoderDecoder.__init__).parameters) - {
        'self', 'kwargs', 'digit_classifier', 'background'}


def rescale(images: torch.Tensor, factor: float, low: float,
            high: float) -> torch.Tensor:
    """Rescale a ``(B, C, H, W)`` batch by ``factor`` as the data generator
    rescales digits: bicubic up (clamped to ``[low, high]``, the values an
    image can hold), area-averaged down; at least 1 x 1."""
    if factor == 1:
        return images
    h, w = (int(s) for s in images.shape[-2:])
    size = (max(1, round(h * factor)), max(1, round(w * factor)))
    mode = 'bicubic' if factor > 1 else 'area'
    rows, cols = (torch.from_numpy(resize_matrix(n, m, mode)).to(images)
                  for n, m in zip((h, w), size))
    out = rows @ images @ cols.T
    return out.clamp(low, high) if factor > 1 else out


@MODELS.register_module()
class ScaleSelectEncoderDecoder(EncoderDecoder):
    """``EncoderDecoder`` with scale channels and per-image scale selection
    at inference.

    Args:
        scale_factors: The channels' rescaling factors; must hold 1.0. A
            channel at factor ``f`` reads digits of scale ``1 / f`` (in
            units of the training scale) at the training scale.
        background: The background class index.
        size_divisor: Each channel's input is padded to a multiple of it
            (the data preprocessor's ``size_divisor``).
        max_enlarged: ``(height, width)``: an enlarging channel (factor >
            1, for digits smaller than the training ones) runs only while
            its image fits in this size. Enlarged large images cost the
            most, and on them the model, seeing strokes far wider than it
            learnt, can be confident and wrong.
        digit_classifier: The classifier of the plain config's
            ``DigitNamingEncoderDecoder``: kept so that its checkpoints
            load, not used (the scale channels name the pixels).
        **kwargs: ``EncoderDecoder``'s arguments; the plain config's
            naming settings (:data:`NAMING_ARGS`) are taken and unused.

    Raises:
        ValueError: Factors empty, not positive or without 1.0.
    """

    def __init__(self,
                 scale_factors: Sequence[float] = (1.0, ),
                 background: int = -1,
                 size_divisor: int = 32,
                 max_enlarged: Sequence[int] = (128, 168),
                 digit_classifier: Optional[ConfigType] = None,
                 **kwargs) -> None:
        super().__init__(
            **{k: v
               for k, v in kwargs.items() if k not in NAMING_ARGS})
        # the checkpoints of a DigitNamingEncoderDecoder config hold its
        # classifier: built so that they load as they are, not run (a
        # classifier of scale-1 crops cannot name digits of other scales)
        if digit_classifier is not None:
            self.digit_classifier = MODELS.build(digit_classifier)
        factors = tuple(scale_factors)
        if not factors or not all(
                isinstance(f, (int, float)) and f > 0 for f in factors):
            raise ValueError(f'{type(self).__name__}: scale_factors must be '
                             f'positive numbers, got {scale_factors!r}')
        if 1.0 not in factors:
            raise ValueError(f'{type(self).__name__}: scale_factors must '
                             f'hold 1.0 (the image as it is), got {factors}')
        self.scale_factors = factors
        self.background = background % self.num_classes
        self.size_divisor = size_divisor
        self.max_enlarged = tuple(max_enlarged)

    def channel_probs(self, inputs: torch.Tensor,
                      factor: float) -> torch.Tensor:
        """Softmax probabilities ``(B, num_classes, H, W)`` of one scale
        channel on normalised ``inputs``, at the input's size."""
        h, w = inputs.shape[-2:]
        mean, std = input_norm(self.data_preprocessor)
        low, high = (0 - mean) / std, (255 - mean) / std
        x = rescale(inputs, factor, low, high)
        sh, sw = (int(s) for s in x.shape[-2:])
        d = self.size_divisor
        x = F.pad(x, (0, -sw % d, 0, -sh % d), value=low)
        logits = self.decode_head.forward(self.extract_feat(x))
        logits = resize(logits, x.shape[-2:], mode='bilinear',
                        align_corners=self.align_corners)[..., :sh, :sw]
        if (sh, sw) != (int(h), int(w)):
            logits = resize(logits, (h, w), mode='bilinear',
                            align_corners=self.align_corners)
        return logits.softmax(1)

    def channel_factors(self, h: int, w: int) -> List[float]:
        """The factors used for an ``h x w`` input: all shrinking ones and
        1.0, the enlarging ones while the channel's image fits in
        ``max_enlarged``."""
        mh, mw = self.max_enlarged
        return [f for f in self.scale_factors
                if f <= 1 or (round(h * f) <= mh and round(w * f) <= mw)]

    def encode_decode(self, inputs: torch.Tensor,
                      batch_img_metas: List[dict]) -> torch.Tensor:
        """Scores ``(B, num_classes, H, W)`` from the selected channel and
        the factor-1 channel (one factor: plain ``EncoderDecoder``).

        Each image is read inside its ``img_shape`` (the data preprocessor's
        padding left out, as every channel pads its own image); the scores
        of the padding are 0. The background scores its probability (the
        mean of the two channels'); the selected channel's most probable
        digit scores the rest, the other digits in proportion. So the
        arg-max is background where its probability exceeds one half, else
        the most probable digit.
        """
        if self.scale_factors == (1.0, ):
            return super().encode_decode(inputs, batch_img_metas)
        shapes = [tuple(int(v) for v in m['img_shape'][:2])
                  for m in batch_img_metas]
        if len(set(shapes)) > 1:
            return torch.cat([
                self.encode_decode(inputs[i:i + 1], [m])
                for i, m in enumerate(batch_img_metas)
            ])
        h, w = shapes[0]
        scores = self.select_channel(inputs[..., :h, :w])
        return F.pad(scores, (0, inputs.shape[-1] - w, 0,
                              inputs.shape[-2] - h))

    def select_channel(self, inputs: torch.Tensor) -> torch.Tensor:
        """:meth:`encode_decode`'s scores for unpadded images."""
        factors = self.channel_factors(*(int(s) for s in inputs.shape[-2:]))
        probs = torch.stack([self.channel_probs(inputs, f) for f in factors])
        bg = self.background
        native = probs[factors.index(1.0)]
        p_bg = (probs[:, :, bg] + native[:, bg]) / 2  # (K, B, H, W)
        digits = torch.cat([probs[:, :, :bg], probs[:, :, bg + 1:]], 2)
        given_fg = digits / digits.sum(2, keepdim=True).clamp(min=1e-12)
        # a channel's confidence: the mean probability of its top digit
        # class, given a digit, where it and the factor-1 channel find one
        found = (p_bg < 0.5).to(probs)
        confidence = (given_fg.amax(2) * found).sum((2, 3)) / found.sum(
            (2, 3)).clamp(min=1)
        best = confidence.argmax(0)  # (B,)
        one_hot = (best[None] == torch.arange(
            len(factors), device=best.device)[:, None]).to(probs)
        weights = one_hot[..., None, None]  # (K, B, 1, 1)
        p_bg = (p_bg * weights).sum(0)
        given_fg = (given_fg * weights[..., None]).sum(0)
        top = given_fg.amax(1, keepdim=True).clamp(min=1e-12)
        p_digits = given_fg / top * (1 - p_bg)[:, None]
        return torch.cat(
            [p_digits[:, :bg], p_bg[:, None], p_digits[:, bg:]], 1)
