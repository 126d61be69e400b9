"""Inference in PyTorch: loading a model and predicting with it."""
from .inference import load_model, torch_detect, torch_predict

__all__ = ['load_model', 'torch_detect', 'torch_predict']
