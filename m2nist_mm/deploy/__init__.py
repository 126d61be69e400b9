"""Deployment through mmdeploy: ONNX Runtime, ncnn (pnnx) and TensorRT
(segmentation), ONNX Runtime (detection).

Importing it registers the function rewriters that make the models export
exactly (:mod:`.rewriters`). :func:`export` runs the steps of
:mod:`.exporter`; :mod:`.verify` and :mod:`.verify_det` (mmdet) compare an
export with PyTorch.
"""
from . import rewriters  # noqa: F401
from .exporter import export, torchscript_onnx_export
from .verify import agreement

__all__ = ['agreement', 'export', 'torchscript_onnx_export']
