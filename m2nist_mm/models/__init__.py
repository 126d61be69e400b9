from .backbones import DetailFastSCNN
from .decode_heads import DetailRefineHead

__all__ = ['DetailFastSCNN', 'DetailRefineHead']
