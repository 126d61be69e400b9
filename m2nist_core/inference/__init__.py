"""Running a model exported by ``tools/deploy.py``, without torch or mm*.

:class:`DeployedModel` (segmentation) and :class:`DeployedDetector` read
an export's ``deploy.json`` and run its files with ONNX Runtime, OpenVINO,
ncnn or TensorRT (:mod:`.backends`; each needs only its own package);
:func:`load_export` picks the right one; :mod:`.visualize` draws results.
"""
from .detector import DeployedDetector, load_export
from .model import DeployedModel, Export

__all__ = ['DeployedDetector', 'DeployedModel', 'Export', 'load_export']
