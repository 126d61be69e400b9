"""FastSCNN with a full-resolution detail branch."""
from typing import Sequence, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmseg.models.backbones import FastSCNN
from mmseg.models.backbones.fast_scnn import GlobalFeatureExtractor
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

    It also exposes what the stock class fixes inside its global feature
    extractor: the number of inverted-residual blocks per group, their
    expansion ratio and the pyramid-pooling bins. On 64x96 digits a shallow
    extractor kept at 1/8 resolution (``global_block_strides=(1, 1, 1)``)
    learns the digit classes much faster than the stock 1/32 one; bins that
    divide its 8x12 map, e.g. ``(1, 2, 4)``, make the adaptive pooling a
    plain average pooling.

    Args:
        detail_channels: Output channels of each 3x3 stride-1 conv.
        global_num_blocks: Inverted-residual blocks in each of the three
            groups of the global feature extractor.
        global_expand_ratio: Expansion ratio of those blocks.
        pool_scales: Pyramid-pooling bins of the global feature extractor.
        **kwargs: Arguments of :class:`mmseg.models.backbones.FastSCNN`.
    """

    def __init__(self,
                 detail_channels: Sequence[int] = (16, 16),
                 global_num_blocks: Sequence[int] = (3, 3, 3),
                 global_expand_ratio: int = 6,
                 pool_scales: Sequence[int] = (1, 2, 3, 6),
                 global_in_channels: int = 64,
                 global_block_channels: Sequence[int] = (64, 96, 128),
                 global_out_channels: int = 128,
                 **kwargs) -> None:
        super().__init__(
            global_in_channels=global_in_channels,
            global_block_channels=global_block_channels,
            global_out_channels=global_out_channels,
            **kwargs)
        self.global_feature_extractor = GlobalFeatureExtractor(
            global_in_channels,
            global_block_channels,
            global_out_channels,
            expand_ratio=global_expand_ratio,
            num_blocks=tuple(global_num_blocks),
            strides=self.global_block_strides,
            pool_scales=tuple(pool_scales),
            conv_cfg=self.conv_cfg,
            norm_cfg=self.norm_cfg,
            act_cfg=self.act_cfg,
            align_corners=self.align_corners)
        if len(pool_scales) != 4:
            # the stock extractor sizes its output conv for four bins
            c = global_block_channels[2]
            self.global_feature_extractor.out = ConvModule(
                c + len(pool_scales) * (c // 4),
                global_out_channels,
                3,
                padding=1,
                conv_cfg=self.conv_cfg,
                norm_cfg=self.norm_cfg,
                act_cfg=self.act_cfg)
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
