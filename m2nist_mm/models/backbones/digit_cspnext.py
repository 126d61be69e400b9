"""CSPNeXt (RTMDet's backbone) for digits: any input channels, no unused
stages."""
from mmcv.cnn import ConvModule
from mmdet.models.backbones import CSPNeXt
from mmdet.registry import MODELS
from mmengine.config import ConfigDict


@MODELS.register_module()
class DigitCSPNeXt(CSPNeXt):
    """``CSPNeXt`` whose stem takes ``in_channels`` channels (1: grey digits).

    The stock stem is fixed to 3 channels; only its first convolution
    changes. Stages after the last of ``out_indices`` are not built (the
    stock backbone builds and runs them even when nothing reads them); the
    rest of the network is mmdet's.
    """

    def __init__(self,
                 in_channels: int = 1,
                 norm_cfg: ConfigDict = dict(
                     type='BN', momentum=0.03, eps=0.001),
                 act_cfg: ConfigDict = dict(type='SiLU'),
                 **kwargs) -> None:
        if not isinstance(in_channels, int) or in_channels < 1:
            raise ValueError('DigitCSPNeXt: in_channels must be a positive '
                             f'int, got {in_channels!r}')
        super().__init__(norm_cfg=norm_cfg, act_cfg=act_cfg, **kwargs)
        self.stem[0] = ConvModule(
            in_channels,
            self.stem[0].conv.out_channels,
            3,
            padding=1,
            stride=2,
            norm_cfg=norm_cfg,
            act_cfg=act_cfg)
        last = max(self.out_indices)
        for name in self.layers[last + 1:]:
            delattr(self, name)
        self.layers = self.layers[:last + 1]
