"""A model exported by ``tools/deploy.py``, run without torch or mm*: its
files, preprocessing and digit classifier."""
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from .. import naming
from ..arrays import DataFileError, batches_by_shape
from ..naming import Digit
from .backends import BACKENDS, THREADS, OnnxRuntimeBackend


def _load_json(path: str) -> dict:
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{path} not found: export the model with tools/deploy.py '
            '--dump-info, which writes deploy.json, pipeline.json and '
            'detail.json beside the backend files')
    try:
        with open(path) as f:
            return json.load(f)
    except ValueError as e:
        raise DataFileError(f'{path}: not valid JSON ({e})') from None


def check_images(imgs: Sequence[np.ndarray],
                 names: Optional[Sequence[str]] = None,
                 what: str = 'image') -> List[str]:
    """Names for ``imgs`` (default ``'<what> 0'``, ...) after checking
    they are grey ``(H, W)`` ``uint8``; ValueError if not, or if not one
    name per image."""
    names = list(names or [f'{what} {i}' for i in range(len(imgs))])
    if len(names) != len(imgs):
        raise ValueError(f'{len(names)} names for {len(imgs)} {what}s')
    for name, img in zip(names, imgs):
        if img.ndim != 2 or img.dtype != np.uint8:
            raise ValueError(f'{name}: {what}s must be grey uint8 (H, W), '
                             f'got {img.dtype} {img.shape}')
    return names


class Preprocess:
    """Grey image -> (resized,) normalised, (padded) ``(N, 1, H, W)``, as
    the ``Resize``, ``Normalize`` and ``Pad`` steps of the SDK
    ``pipeline.json`` say (segmentation graphs pad inside)."""

    def __init__(self, transforms: Sequence[dict], source: str) -> None:
        steps = {t['type']: t for t in transforms}
        if 'Normalize' not in steps:
            raise DataFileError(f'{source}: the Preprocess task has no '
                                'Normalize step')
        norm, pad = steps['Normalize'], steps.get('Pad', {})
        self.mean = np.float32(norm['mean'][0])
        self.std = np.float32(norm['std'][0])
        self.size_divisor = int(pad.get('size_divisor', 1))
        self.pad_val = np.float32(pad.get('pad_val', 0))
        resize = steps.get('Resize')
        self.resize_to = None if resize is None else tuple(resize['size'])
        if resize is not None and not resize.get('keep_ratio', False):
            raise DataFileError(f'{source}: only keep_ratio Resize steps are '
                                'supported')

    def resize(self,
               img: np.ndarray) -> Tuple[np.ndarray, Tuple[float, float]]:
        """``img`` fitted into the ``Resize`` size keeping its aspect ratio
        (as mmcv's ``imrescale``), and the ``(x, y)`` scale factors."""
        if self.resize_to is None:
            return img, (1.0, 1.0)
        h, w = img.shape
        scale = min(
            max(self.resize_to) / max(h, w),
            min(self.resize_to) / min(h, w))
        new_w, new_h = int(w * scale + 0.5), int(h * scale + 0.5)
        img = cv2.resize(img, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
        return img, (new_w / w, new_h / h)

    def normalise(self, img: np.ndarray) -> np.ndarray:
        """Grey ``uint8`` ``img`` as the model sees it (float32)."""
        return (img.astype(np.float32) - self.mean) / self.std

    def padded_shape(self, hw: Tuple[int, int]) -> Tuple[int, int]:
        d = self.size_divisor
        return (-(-hw[0] // d) * d, -(-hw[1] // d) * d)

    def check_fit(self, name: str, hw: Tuple[int, int],
                  model_hw: Sequence[Optional[int]], model: str) -> None:
        """Raise ValueError when ``hw`` (after any resize) pads to another
        size than ``model_hw`` (``None`` for dynamic axes)."""
        padded = self.padded_shape(hw)
        if None in model_hw or tuple(model_hw) == padded:
            return
        what = f'a {hw[0]}x{hw[1]} image' + ('' if padded == tuple(hw) else
                                             f' (padded to {padded[0]}x'
                                             f'{padded[1]})')
        raise ValueError(
            f'{name}: {what} does not fit {model}, exported for '
            f'{model_hw[0]}x{model_hw[1]} input; export with the dynamic '
            'deploy config for other sizes')

    def __call__(self, imgs: Sequence[np.ndarray]) -> np.ndarray:
        """Batch of (resized) grey ``uint8`` images that pad to one size
        (padding further would change what global pooling sees)."""
        shapes = {self.padded_shape(img.shape) for img in imgs}
        if len(shapes) != 1:
            raise ValueError(f'images of one batch must pad to one size, '
                             f'got {sorted(shapes)}')
        h, w = shapes.pop()
        batch = np.full((len(imgs), 1, h, w), self.pad_val, np.float32)
        for i, img in enumerate(imgs):
            batch[i, 0, :img.shape[0], :img.shape[1]] = self.normalise(img)
        return batch


#: The keys of ``deploy.json``'s ``naming`` entry, and those a segmentor's
#: adds (how it groups its foreground into digits).
KEYS = ('classifier', 'crop_size', 'ink_level')
GROUPING_KEYS = ('min_piece', 'max_width', 'background')


class DigitNamer:
    """The classifier graph and settings that ``deploy.json``'s ``naming``
    entry names (:mod:`m2nist_core.naming`), run with ONNX Runtime in fp32
    whatever the model's backend and precision.

    Args:
        grouping: A segmentor's entry (with :data:`GROUPING_KEYS`).

    Raises:
        DataFileError: An entry without the keys it needs.
        FileNotFoundError: No classifier file.
    """

    def __init__(self, work_dir: str, entry: dict, preprocess: Preprocess,
                 device: str, threads: int, grouping: bool = True) -> None:
        keys = KEYS + (GROUPING_KEYS if grouping else ())
        missing = [k for k in keys if k not in entry]
        if missing:
            raise DataFileError(f'{work_dir}/deploy.json: its naming entry '
                                f'lacks {missing}; re-export with '
                                'tools/deploy.py')
        path = osp.join(work_dir, entry['classifier'])
        if not osp.isfile(path):
            raise FileNotFoundError(f'{path} not found (named in '
                                    f'{work_dir}/deploy.json)')
        self.classify = OnnxRuntimeBackend(path, device, threads)
        self.preprocess = preprocess
        self.crop_size = int(entry['crop_size'])
        level = entry['ink_level']
        self.ink_level = None if level is None else float(level)
        if grouping:
            self.min_piece = int(entry['min_piece'])
            self.max_width = int(entry['max_width'])
            self.background = int(entry['background'])

    def __call__(self, img: np.ndarray,
                 class_map: np.ndarray) -> Tuple[np.ndarray, List[Digit]]:
        """Group a segmenter's foreground into digits and name each whole.

        Returns:
            ``(class_map, digits)``: ``uint8`` class indices (each digit's
            pixels of its name) and the digits, left to right.
        """
        labels, digits = naming.name_digits(
            self.preprocess.normalise(img), class_map != self.background,
            self.classify, self.min_piece, self.max_width, self.crop_size,
            self.ink_level)
        return naming.class_map(labels, digits), digits

    def boxes(self, img: np.ndarray,
              dets: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
        """A detector's boxes (in ``img``'s pixels) fitted to the ink and
        named: each takes the classifier's most probable digit, its score
        times that probability.
        """
        if not len(dets['bboxes']):
            return dets
        resized, (sx, sy) = self.preprocess.resize(img)
        scale = np.array([sx, sy, sx, sy], np.float32)
        boxes, probs = naming.name_boxes(
            self.preprocess.normalise(resized), dets['bboxes'] * scale,
            self.classify, self.ink_level, self.crop_size)
        return dict(bboxes=boxes / scale,
                    scores=(dets['scores'] * probs.max(1)).astype(np.float32),
                    labels=probs.argmax(1).astype(np.int64))


class Export:
    """The files of a ``tools/deploy.py`` work dir, checked and opened.

    :attr:`input_shape` is ``[N, C, H, W]`` (``None`` for a dynamic axis);
    :attr:`namer` the digit classifier of a model that names digits whole,
    else None.

    Args:
        work_dir: The deploy work dir (or a file in it).
        graph: False: the model's graph is not loaded (:attr:`net` None;
            for the :attr:`namer` alone).
    """

    def __init__(self, work_dir: str, device: str = 'cpu',
                 threads: int = THREADS, graph: bool = True) -> None:
        work_dir = osp.abspath(work_dir)
        if osp.isfile(work_dir):
            work_dir = osp.dirname(work_dir)
        if not osp.isdir(work_dir):
            raise FileNotFoundError(f'deploy work dir not found: {work_dir}')
        self.work_dir = work_dir
        deploy = self.deploy = _load_json(osp.join(work_dir, 'deploy.json'))
        pipeline = _load_json(osp.join(work_dir, 'pipeline.json'))
        try:
            model = deploy['models'][0]
            self.task = deploy['task']
            tasks = {t['name']: t for t in pipeline['pipeline']['tasks']}
            transforms = tasks['Preprocess']['transforms']
            self.postprocess = tasks['postprocess']
            self.backend = model['backend']
            self.input_shape = model['input_shape']
            self.precision = model.get('precision', 'FP32')
            files = [model['net']
                     ] + ([model['weights']] if model.get('weights') else [])
        except (KeyError, IndexError, TypeError) as e:
            raise DataFileError(f'{work_dir}: deploy.json/pipeline.json lack '
                                f'{e}; re-export with tools/deploy.py') \
                from None
        if self.backend not in BACKENDS:
            raise DataFileError(
                f'{work_dir}/deploy.json: backend {self.backend!r} is not '
                f'one of {sorted(BACKENDS)}')
        self.preprocess = Preprocess(transforms, f'{work_dir}/pipeline.json')
        self.files = [osp.join(work_dir, f) for f in files]
        for path in self.files:
            if not osp.isfile(path):
                raise FileNotFoundError(f'{path} not found (named in '
                                        f'{work_dir}/deploy.json)')
        naming = deploy.get('naming')
        self.namer = None if naming is None else DigitNamer(
            work_dir, naming, self.preprocess, device, threads,
            grouping=self.task != 'Detector')
        self.net = BACKENDS[self.backend](
            *self.files, device=device, threads=threads,
            precision=self.precision) if graph else None

    def check_size(self, name: str, hw: Tuple[int, int]) -> None:
        """Refuse image ``name`` of ``(H, W)`` ``hw`` (after any resize)
        when it does not fit a static model (:meth:`Preprocess.check_fit`).
        """
        self.preprocess.check_fit(name, hw, self.input_shape[2:],
                                  self.work_dir)

    def run(self, batch: np.ndarray) -> List[np.ndarray]:
        """The graph's outputs for a preprocessed batch (one image a run
        for a model exported with batch size 1)."""
        net = getattr(self.net, 'outputs', None) or (lambda b: [self.net(b)])
        if self.input_shape[0] == 1 and len(batch) > 1:
            runs = [net(batch[i:i + 1]) for i in range(len(batch))]
            return [np.concatenate(outs) for outs in zip(*runs)]
        return net(batch)


class DeployedModel(Export):
    """Segmentation model from a ``tools/deploy.py`` work dir.

    Call it with grey ``uint8`` images to get ``(H, W)`` class index maps
    at each image's size (padded, never resized), each digit named whole
    when the export holds a classifier (:attr:`namer`).
    """

    def __init__(self, work_dir: str, device: str = 'cpu',
                 threads: int = THREADS) -> None:
        super().__init__(work_dir, device, threads)
        try:
            self.with_argmax = self.postprocess['params']['with_argmax']
        except (KeyError, TypeError) as e:
            raise DataFileError(f'{self.work_dir}/pipeline.json: the '
                                f'postprocess task lacks {e}; is it a '
                                'segmentation export?') from None

    def labels(self, batch: np.ndarray) -> np.ndarray:
        """``(N, H, W)`` the segmenter's class indices of a preprocessed
        batch (the argmax is taken here when the graph ends at the
        logits)."""
        out = self.run(batch)[0]
        return out[:, 0] if self.with_argmax else out.argmax(1)

    def name(self, img: np.ndarray,
             class_map: np.ndarray) -> Tuple[np.ndarray, List[Digit]]:
        """:class:`DigitNamer` on a segmenter's ``class_map`` of ``img``
        (also one from elsewhere, e.g. mmdeploy's SDK); unchanged, with no
        digits, for an export without a classifier."""
        if self.namer is None:
            return class_map.astype(np.uint8), []
        return self.namer(img, class_map)

    def predict(self,
                imgs: Sequence[np.ndarray],
                names: Optional[Sequence[str]] = None,
                named: bool = True) -> List[Tuple[np.ndarray, List[Digit]]]:
        """``(class_map, digits)`` of each grey ``uint8`` image (digits: as
        :meth:`name`; ``named=False``: the segmenter's own classes, no
        digits)."""
        names = check_images(imgs, names)
        for name, img in zip(names, imgs):
            self.check_size(name, img.shape)
        results = [None] * len(imgs)
        # one run per padded size (see Preprocess)
        shapes = [self.preprocess.padded_shape(img.shape) for img in imgs]
        for idx in batches_by_shape(shapes):
            out = self.labels(self.preprocess([imgs[i] for i in idx]))
            for i, label in zip(idx, out):
                h, w = imgs[i].shape
                label = label[:h, :w].astype(np.uint8)
                results[i] = self.name(imgs[i], label) if named else (
                    label, [])
        return results

    def __call__(self,
                 imgs: Sequence[np.ndarray],
                 names: Optional[Sequence[str]] = None) -> List[np.ndarray]:
        """Class index maps (``uint8``) of grey ``uint8`` images."""
        return [class_map for class_map, _ in self.predict(imgs, names)]
