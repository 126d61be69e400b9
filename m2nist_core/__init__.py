"""m2nist_core: the MNIST family of data sets with numpy and OpenCV only
(no torch, no OpenMMLab; :mod:`m2nist_mm` builds on it). Its modules:
``docs/architecture.md``."""
from .arrays import DataFileError
from .classes import BACKGROUND, CLASSES, PALETTE
from .images import m2nist_polarity, read_image, read_inputs, to_gray

__all__ = [
    'BACKGROUND', 'CLASSES', 'PALETTE', 'DataFileError', 'm2nist_polarity',
    'read_image', 'read_inputs', 'to_gray'
]
