from .backbones import DetailFastSCNN, DigitCSPNeXt
from .decode_heads import DetailRefineHead

__all__ = ['DetailFastSCNN', 'DetailRefineHead', 'DigitCSPNeXt']
