"""Deployment through mmdeploy: ONNX Runtime, OpenVINO, ncnn (pnnx) and
TensorRT (segmentation), ONNX Runtime (detection).

Importing it registers the function rewriters that make the models export
exactly (:mod:`.rewriters`). :func:`export` (:mod:`.exporter`) runs the
steps in order: :mod:`.plan`, :mod:`.convert`, :mod:`.quantize`,
:mod:`.verify` and :mod:`.write`.
"""
from . import rewriters  # noqa: F401
from .convert import torchscript_onnx_export
from .exporter import export
from .verify import agreement

__all__ = ['agreement', 'export', 'torchscript_onnx_export']
