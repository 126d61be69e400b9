"""Importing this module registers m2nist_mm's detection side (data sets,
backbone, hooks, the shared transforms and AMP wrapper) into mmdet's
registries; configs name it in ``custom_imports``.
"""
from .utils.setup_env import register_all_modules

register_all_modules('det')
