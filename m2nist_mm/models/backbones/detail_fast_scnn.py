"""FastSCNN with a full-resolution detail branch."""
from typing import Sequence, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmseg.models.backbones import FastSCNN
from mmseg.registry import MODELS


@MODELS.register_module()
class DetailFastSCNN(FastSCNN):
    """FastSCNN plus a third, full-resolution branch for thin strokes.

    Fast-SCNN fuses a 1/8 "learning to downsample" branch with a 1/32
    global-context branch; its prediction is 1/8 resolution, too coarse for
    1-px digit strokes. This backbone keeps FastSCNN as it is and adds a
    shallow branch of stride-1 convs on the input, whose output is appended
    after FastSCNN's outputs (index ``len(out_indices)``) for a decode head
    such as ``DetailRefineHead`` to fuse with the context features.

    Args:
        detail_channels: Output channels of each 3x3 stride-1 conv.
        **kwargs: Arguments of :class:`mmseg.models.backbones.FastSCNN`.
    """

    def __init__(self, detail_channels: Sequence[int] = (16, 16),
                 **kwargs) -> None:
        super().__init__(**kwargs)
        layers, c_in = [], self.in_channels
        for c_out in detail_channels:
            layers.append(
                ConvModule(
                    c_in,
                    c_out,
                    3,
                    padding=1,
                    conv_cfg=self.conv_cfg,
                    norm_cfg=self.norm_cfg,
                    act_cfg=self.act_cfg))
            c_in = c_out
        self.detail_branch = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        return super().forward(x) + (self.detail_branch(x), )
