"""The part of m2nist_mm that imports neither torch nor OpenMMLab.

It needs numpy and OpenCV, plus the package of the backend it runs.

It holds what both the training side and a slim inference server need:
validated reading of the MNIST-family arrays and images
(:mod:`.arrays`, :mod:`.images`), and running a model exported by
``tools/deploy.py`` with ONNX Runtime, ncnn or TensorRT (:mod:`.model`,
:mod:`.detector`).
"""
from .arrays import DataFileError
from .classes import CLASSES, PALETTE
from .detector import DeployedDetector
from .exports import load_export
from .images import m2nist_polarity, read_image, read_inputs, to_gray
from .model import DeployedModel, Export

__all__ = [
    'CLASSES', 'PALETTE', 'DataFileError', 'DeployedDetector', 'DeployedModel',
    'Export', 'load_export', 'm2nist_polarity', 'read_image', 'read_inputs',
    'to_gray'
]
