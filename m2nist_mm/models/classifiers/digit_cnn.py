"""A small CNN that names one centred 28x28 digit."""
import torch
import torch.nn as nn
from mmseg.registry import MODELS


def _conv(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride, padding=1, bias=False),
        nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


@MODELS.register_module()
class DigitCNN(nn.Module):
    """Five 3x3 convolutions (one at 28x28, then two at 14x14 and two at
    7x7, each pair begun by a stride-2 convolution), 3x3 average pooling
    with stride 2 to a 3x3 grid and a linear layer over the 10 digits.

    The grid keeps where in the crop each feature is (the last
    convolution sees 21x21 pixels, less than a digit): it named a third
    fewer digits wrong than global average pooling (docs/segmentation.md,
    "Naming each digit whole").

    Args:
        width: Channels of the first two convolutions, doubled at 14x14
            and again for the last.
        dropout: Dropout before the linear layer.
    """

    def __init__(self, width: int = 32, dropout: float = 0.2) -> None:
        super().__init__()
        w = width
        self.features = nn.Sequential(
            _conv(1, w), _conv(w, w, 2), _conv(w, 2 * w),
            _conv(2 * w, 2 * w, 2), _conv(2 * w, 4 * w),
            nn.AvgPool2d(3, 2), nn.Flatten())
        self.fc = nn.Sequential(nn.Dropout(dropout),
                                nn.Linear(4 * w * 9, 10))

    def forward(self, crops: torch.Tensor) -> torch.Tensor:
        """``(K, 10)`` logits of ``(K, 1, 28, 28)`` crops (values as the
        segmentor's normalised input: background 0, ink up to 1)."""
        return self.fc(self.features(crops))
