"""Decode head that refines context features at full resolution."""
from typing import List

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule, DepthwiseSeparableConvModule
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.utils import resize
from mmseg.registry import MODELS


@MODELS.register_module()
class DetailRefineHead(BaseDecodeHead):
    """Upsample context features and fuse them with full-resolution detail.

    Takes two inputs (``in_index=(context, detail)``): low-resolution context
    features (e.g. FastSCNN's fused 1/8 output) are projected to ``channels``
    by a 1x1 conv, upsampled bilinearly to the detail features' size,
    concatenated with them and refined by ``num_convs`` depthwise-separable
    3x3 convs before the classifier, so the logits are full resolution.

    Args:
        num_convs: Depthwise-separable convs after the fusion.
        **kwargs: Arguments of ``BaseDecodeHead``; ``in_channels`` and
            ``in_index`` are pairs.
    """

    def __init__(self, num_convs: int = 2, **kwargs) -> None:
        super().__init__(input_transform='multiple_select', **kwargs)
        if len(self.in_channels) != 2 or num_convs < 1:
            raise ValueError('DetailRefineHead needs in_channels/in_index '
                             'pairs (context, detail) and num_convs >= 1')
        context_c, detail_c = self.in_channels
        cfg = dict(norm_cfg=self.norm_cfg, act_cfg=self.act_cfg)
        self.context_proj = ConvModule(context_c, self.channels, 1, **cfg)
        self.fuse = nn.Sequential(*[
            DepthwiseSeparableConvModule(
                (self.channels + detail_c) if i == 0 else self.channels,
                self.channels,
                3,
                padding=1,
                **cfg) for i in range(num_convs)
        ])

    def forward(self, inputs: List[torch.Tensor]) -> torch.Tensor:
        context, detail = self._transform_inputs(inputs)
        context = resize(
            self.context_proj(context),
            size=detail.shape[2:],
            mode='bilinear',
            align_corners=self.align_corners)
        return self.cls_seg(self.fuse(torch.cat([context, detail], dim=1)))
