"""Inference in PyTorch: loading a model, predicting, and the two ways of
meeting digits of other scales (scale channels, scale normalisation)."""
from .inference import load_model, torch_detect, torch_predict
from .scale_channels import predict_scales
from .scale_norm import predict_normalised

__all__ = [
    'load_model', 'predict_normalised', 'predict_scales', 'torch_detect',
    'torch_predict'
]
