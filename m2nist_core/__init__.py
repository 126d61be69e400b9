"""m2nist_core: the MNIST family of data sets with numpy and OpenCV only.

It imports neither torch nor any OpenMMLab package; the OpenMMLab adapters
in :mod:`m2nist_mm` are built on it, never the reverse.

- :mod:`.classes`: class names, palette, the background index;
- :mod:`.arrays`: the array layouts on disk and their validation;
- :mod:`.images`: reading user images and making them M2NIST-like;
- :mod:`.instances`, :mod:`.coco`: digit instances derived from the masks,
  and their COCO form;
- :mod:`.datagen`: the M2NIST generator and recipe, MNIST readers, MNIST
  Large Scale I/O, scale sets;
- :mod:`.inference`: running a model exported by ``tools/deploy.py``.
"""
from .arrays import DataFileError
from .classes import BACKGROUND, CLASSES, PALETTE
from .images import m2nist_polarity, read_image, read_inputs, to_gray

__all__ = [
    'BACKGROUND', 'CLASSES', 'PALETTE', 'DataFileError', 'm2nist_polarity',
    'read_image', 'read_inputs', 'to_gray'
]
