from .digit_naming import DigitNamingEncoderDecoder, random_affine
from .scale_select import ScaleSelectEncoderDecoder, rescale

__all__ = [
    'DigitNamingEncoderDecoder', 'ScaleSelectEncoderDecoder', 'random_affine',
    'rescale'
]
