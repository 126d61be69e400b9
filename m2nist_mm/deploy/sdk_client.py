"""Running an export with mmdeploy's own SDK (``mmdeploy_runtime``), as SDK
users will get it; the PyPI wheel has the ONNX Runtime backend only.

Naming digits whole is not an SDK task: the export's classifier is applied
after the SDK as the runtime does (:class:`.model.DigitNamer`).
"""
import importlib.util
from typing import Callable, List, Sequence

import cv2
import numpy as np

from m2nist_core.inference import Export
from m2nist_core.inference.detector import Detections

#: Backends the PyPI SDK wheel runs.
SDK_BACKENDS = ('onnxruntime', )


def sdk_installed() -> bool:
    """Whether ``mmdeploy_runtime`` can be imported."""
    return importlib.util.find_spec('mmdeploy_runtime') is not None


def _bgr(img: np.ndarray) -> np.ndarray:
    """The SDK's input: a 3-channel BGR ``uint8`` image."""
    return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)


def _device(device: str) -> dict:
    name, _, index = device.partition(':')
    return dict(device_name=name, device_id=int(index or 0))


def open_segmentor(work_dir: str, device: str = 'cpu',
                   named: bool = True) -> Callable[[np.ndarray], np.ndarray]:
    """``mmdeploy_runtime``'s ``Segmentor`` on an export: a function from a
    grey image to its ``uint8`` class map, digits named whole when the export
    holds a classifier (unless ``named`` is False)."""
    from mmdeploy_runtime import Segmentor
    segmentor = Segmentor(model_path=work_dir, **_device(device))
    # the export's digit classifier, without loading its graph again
    namer = Export(work_dir, device, graph=False).namer if named else None

    def segment(img: np.ndarray) -> np.ndarray:
        class_map = np.asarray(segmentor(_bgr(img))).astype(np.uint8)
        return class_map if namer is None else namer(img, class_map)[0]

    return segment


def open_detector(work_dir: str, device: str = 'cpu',
                  named: bool = True) -> Callable[[np.ndarray], Detections]:
    """``mmdeploy_runtime``'s ``Detector`` on an export: a function from a
    grey image to its detections, each box fitted to its digit's ink and
    named by the export's classifier when it holds one (unless ``named`` is
    False)."""
    from mmdeploy_runtime import Detector
    detector = Detector(model_path=work_dir, **_device(device))
    namer = Export(work_dir, device, graph=False).namer if named else None

    def detect(img: np.ndarray) -> Detections:
        dets, labels = detector(_bgr(img))[:2]
        found = dict(bboxes=dets[:, :4].astype(np.float32),
                     scores=dets[:, 4].astype(np.float32),
                     labels=labels.astype(np.int64))
        return found if namer is None else namer.boxes(img, found)

    return detect


def sdk_segment(work_dir: str, imgs: Sequence[np.ndarray],
                device: str = 'cpu', named: bool = True) -> List[np.ndarray]:
    """Class maps of grey images from the SDK (:func:`open_segmentor`)."""
    segment = open_segmentor(work_dir, device, named)
    return [segment(img) for img in imgs]


def sdk_detect(work_dir: str, imgs: Sequence[np.ndarray],
               device: str = 'cpu') -> List[Detections]:
    """Detections of grey images from the SDK (:func:`open_detector`)."""
    detect = open_detector(work_dir, device)
    return [detect(img) for img in imgs]
