from .detail_fast_scnn import DetailFastSCNN
from .digit_cspnext import DigitCSPNeXt

__all__ = ['DetailFastSCNN', 'DigitCSPNeXt']
