"""Deployment through mmdeploy: ONNX Runtime, ncnn (pnnx) and TensorRT
(segmentation), ONNX Runtime (detection).

Importing it registers the function rewriters that make the models export
exactly (:mod:`.rewriters`).
"""
from . import rewriters  # noqa: F401
from .export import export, torchscript_onnx_export
from .verify import agreement, load_model, torch_predict
from .verify_det import box_agreement, evaluate_det, torch_detect

__all__ = ['agreement', 'box_agreement', 'evaluate_det', 'export',
           'load_model', 'torch_detect', 'torch_predict',
           'torchscript_onnx_export']
