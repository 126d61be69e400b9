from .digit_naming import DigitNamingEncoderDecoder
from .scale_select import ScaleSelectEncoderDecoder, rescale

__all__ = ['DigitNamingEncoderDecoder', 'ScaleSelectEncoderDecoder', 'rescale']
