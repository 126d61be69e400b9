"""Deployment through mmdeploy: ONNX Runtime, ncnn (pnnx) and TensorRT.

Importing it registers the function rewriters that make the models export
exactly (:mod:`.rewriters`).
"""
from . import rewriters  # noqa: F401
from .export import export, torchscript_onnx_export
from .verify import agreement, evaluate, load_model, torch_predict

__all__ = ['agreement', 'evaluate', 'export', 'load_model', 'torch_predict',
           'torchscript_onnx_export']
