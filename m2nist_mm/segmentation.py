"""Importing this module registers m2nist_mm's segmentation side (data
sets, transforms, models, metric, hooks, visualizer) into mmseg's
registries; configs name it in ``custom_imports``. It never imports mmdet.
"""
from .utils.setup_env import register_all_modules

register_all_modules('seg')
