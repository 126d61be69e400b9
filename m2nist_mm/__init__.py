"""m2nist_mm: the MNIST family of data sets in MMSegmentation and MMDetection.

OpenMMLab adapters over :mod:`m2nist_core`: data sets, transforms, models,
metrics, hooks (registered into the mmseg and mmdet registries), the
inference APIs (:mod:`.apis`) and deployment through mmdeploy
(:mod:`.deploy`). Importing this package imports nothing of OpenMMLab;
:func:`register_all_modules` (or a config's ``custom_imports`` of
:mod:`m2nist_mm.segmentation` / :mod:`m2nist_mm.detection`) registers the
modules.
"""
from .utils.setup_env import register_all_modules
from .version import __version__

__all__ = ['__version__', 'register_all_modules']
