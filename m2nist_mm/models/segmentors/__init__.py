from .scale_select import ScaleSelectEncoderDecoder, rescale

__all__ = ['ScaleSelectEncoderDecoder', 'rescale']
