"""A segmentation backbone pretrained as an MNIST digit classifier.

M2NIST's errors are whole digits taken for another digit: what a short
segmentation schedule learns slowly is *which* digit. Here the backbone
first learns that from single MNIST digits (28x28, shifted at random in a
32x32 canvas): global average pooling of one of its outputs and a linear
layer make a 10-way classifier. Only the backbone's weights are kept; a
config loads them with ``init_cfg=dict(type='Pretrained', checkpoint=...)``.
"""
import time
from typing import Callable, Optional

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

#: The canvas a digit is shifted in, and the largest shift.
CANVAS, MAX_SHIFT = 32, 4


def shifted(digits: np.ndarray, rng: Optional[np.random.Generator]
            ) -> torch.Tensor:
    """``(N, 1, 32, 32)`` float images (0-255) of 28x28 ``uint8`` digits,
    each shifted by up to 4 pixels each way (centred when ``rng`` is
    None)."""
    pad = (CANVAS - 28) // 2 + MAX_SHIFT
    padded = np.pad(digits, ((0, 0), (pad, pad), (pad, pad)))
    if rng is None:
        offsets = np.full((len(digits), 2), MAX_SHIFT)
    else:
        offsets = rng.integers(0, 2 * MAX_SHIFT + 1, (len(digits), 2))
    out = np.stack([
        padded[i, y:y + CANVAS, x:x + CANVAS]
        for i, (y, x) in enumerate(offsets)
    ])
    return torch.from_numpy(out[:, None].astype(np.float32))


class DigitClassifier(nn.Module):
    """A backbone, global average pooling of its output ``out_index`` and a
    linear layer over the 10 digits.

    Args:
        backbone: The backbone (its ``forward`` returns a tuple of maps).
        out_index: Which output to classify from.
        channels: That output's channels.
        mean: Subtracted from the images, then
        std: divided into them (the segmentor's data preprocessor's).
    """

    def __init__(self, backbone: nn.Module, out_index: int, channels: int,
                 mean: float = 0.0, std: float = 255.0) -> None:
        super().__init__()
        self.backbone, self.out_index = backbone, out_index
        self.mean, self.std = mean, std
        self.fc = nn.Linear(channels, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        feats = self.backbone((x - self.mean) / self.std)[self.out_index]
        return self.fc(feats.mean((2, 3)))


def accuracy(model: DigitClassifier, digits: np.ndarray, labels: np.ndarray,
             batch_size: int = 500) -> float:
    """Share of ``digits`` (centred) that ``model`` classifies right."""
    model.eval()
    right = 0
    with torch.no_grad():
        for i in range(0, len(digits), batch_size):
            logits = model(shifted(digits[i:i + batch_size], None))
            right += int((logits.argmax(1).numpy() ==
                          labels[i:i + batch_size]).sum())
    return right / len(digits)


def pretrain(model: DigitClassifier, digits: np.ndarray, labels: np.ndarray,
             epochs: float, batch_size: int = 128, lr: float = 2e-3,
             seed: int = 0, log: Callable[[str], None] = print) -> float:
    """Train ``model`` on ``digits`` with AdamW and a one-cycle learning
    rate; the minutes it took.

    Args:
        model: The classifier; trained in place.
        digits: ``(N, 28, 28)`` ``uint8`` digits.
        labels: ``(N,)`` their digits.
        epochs: Passes over ``digits`` (batches drawn with replacement).
        batch_size: Digits per step.
        lr: Peak learning rate.
        seed: Seeds the batches, the shifts and the weights' init.
        log: Where the loss goes, once per epoch.

    Returns:
        Minutes of training.

    Raises:
        ValueError: Digits and labels that do not match, or no step to take.
    """
    if digits.ndim != 3 or digits.shape[1:] != (28, 28) or \
            digits.dtype != np.uint8 or len(digits) != len(labels):
        raise ValueError(f'digits {digits.shape} {digits.dtype} with '
                         f'{len(labels)} labels; expected (N, 28, 28) uint8 '
                         'and N labels')
    steps_per_epoch = max(1, len(digits) // batch_size)
    steps = int(round(epochs * steps_per_epoch))
    if steps < 1:
        raise ValueError(f'epochs={epochs}: no training step')
    rng = np.random.default_rng(seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr,
                                  weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, lr, total_steps=steps, pct_start=0.1)
    targets = torch.from_numpy(labels.astype(np.int64))
    t0 = time.perf_counter()
    model.train()
    for step in range(1, steps + 1):
        batch = rng.integers(0, len(digits), batch_size)
        loss = F.cross_entropy(model(shifted(digits[batch], rng)),
                               targets[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        if step % steps_per_epoch == 0 or step == steps:
            log(f'step {step}/{steps}: loss {loss.item():.4f}, '
                f'{(time.perf_counter() - t0) / 60:.2f} min')
    return (time.perf_counter() - t0) / 60
