"""What the web demo does with one picture: run the exported segmentation
model (and detector), and answer with drawings and per-class figures."""
import base64
from typing import Optional

import cv2
import numpy as np

from ..arrays import DataFileError
from ..images import decode_image, m2nist_polarity, to_gray
from .detector import DeployedDetector, load_export
from .model import DeployedModel
from .visualize import det_panels, digit_panels, digits_found, seg_panels

#: The longest side an uploaded picture may have, in pixels.
MAX_SIDE = 1024
#: The fewest pixels of a class for the segmentation to report the digit.
MIN_PIXELS = 10
#: The size pictures are drawn at when the segmentation model takes any.
DEFAULT_HW = (64, 84)


class UploadError(ValueError):
    """An upload the demo refuses; the message says why."""


def png_base64(img: np.ndarray) -> str:
    """``img`` (BGR or grey) as a base64 PNG."""
    ok, buf = cv2.imencode('.png', img)
    if not ok:
        raise RuntimeError('OpenCV could not encode a PNG')
    return base64.b64encode(buf.tobytes()).decode('ascii')


class DemoModels:
    """The exported models behind the demo.

    Args:
        seg_dir: A segmentation export of ``tools/deploy.py``.
        det_dir: A detector export, or ``None``.
        score_thr: The score a detected box needs to be shown.

    Raises:
        DataFileError: ``seg_dir`` holds a detector or ``det_dir`` a
            segmentation model (and whatever loading the exports raises).
    """

    def __init__(self, seg_dir: str, det_dir: Optional[str] = None,
                 score_thr: float = 0.3) -> None:
        self.seg = load_export(seg_dir)
        if not isinstance(self.seg, DeployedModel):
            raise DataFileError(f'{seg_dir}: a detector, expected a '
                                'segmentation export')
        self.det = None
        if det_dir is not None:
            self.det = load_export(det_dir)
            if not isinstance(self.det, DeployedDetector):
                raise DataFileError(f'{det_dir}: not a detector export')
        self.score_thr = score_thr
        shape = self.seg.input_shape[2:]
        self.static = None not in shape
        self.hw = tuple(shape) if self.static else DEFAULT_HW

    def image(self, data: bytes, name: str, invert: str) -> np.ndarray:
        """The upload as a grey M2NIST-like image, or ``UploadError``."""
        try:
            img = to_gray(decode_image(data, name), name)
        except DataFileError as e:
            raise UploadError(f'{e} (PNG, JPEG, BMP or TIFF expected)') \
                from None
        h, w = img.shape
        if max(h, w) > MAX_SIDE:
            raise UploadError(f'{name}: {w}x{h} pixels; at most {MAX_SIDE} '
                              'on a side')
        if self.static and (h, w) != self.hw:
            raise UploadError(
                f'{name}: {w}x{h} pixels; the segmentation model takes '
                f'{self.hw[1]}x{self.hw[0]} images (width x height): crop '
                'or scale the picture to that size')
        try:
            return m2nist_polarity(img, invert, name)[0]
        except ValueError as e:
            raise UploadError(str(e).replace(
                'pass --invert yes or --invert no',
                'draw or upload light digits on black')) from None

    def predict(self, data: bytes, name: str = 'upload',
                invert: str = 'auto') -> dict:
        """Everything the page shows about one picture.

        Args:
            data: The bytes of an image file.
            name: Names the picture in messages.
            invert: ``'no'`` for the page's own canvas (light digits on
                black already), ``'auto'`` for uploads (see
                :func:`m2nist_core.m2nist_polarity`).

        Returns:
            ``segmentation`` (``png``: the class mask over the picture, 4x,
            with the legend), ``naming`` (a segmentor that names digits
            whole: ``png``, each digit's crop with its top three names,
            and ``digits``, each ``digit``, ``probability``, ``unsure``,
            ``top`` ``[[digit, probability], ...]`` and ``box``, left to
            right; ``None`` for other models), ``detection`` (``png`` and
            ``objects``, each ``digit``, ``score`` and ``box`` left to
            right; ``None`` without a detector), ``classes`` (per digit
            found: ``pixels``, ``share`` of the digit pixels in percent,
            the detector's best ``score``) and ``summary``, a line of
            text.

        Raises:
            UploadError: Not an image, too large, a size the model does not
                take, or no digits to be told from the background.
        """
        img = self.image(data, name, invert)
        label, digits = self.seg.predict([img], [name])[0]
        pixels = digits_found(label, MIN_PIXELS)
        total = sum(pixels.values())
        classes = {d: dict(digit=d, pixels=n,
                           share=round(100 * n / total, 1), score=None)
                   for d, n in pixels.items()}
        out = dict(segmentation=dict(png=png_base64(
            seg_panels(img, pred=label))), detection=None)
        words = [f'segmentation: {self.words(pixels)}']
        out['naming'] = None
        if self.seg.namer is not None:
            named = [dict(digit=d.label, unsure=d.unsure,
                          probability=round(float(d.probs.max()), 3),
                          top=[[c, round(p, 3)] for c, p in d.top(3)],
                          box=list(d.box)) for d in digits]
            out['naming'] = dict(png=png_base64(digit_panels(digits)),
                                 digits=named)
            words.append('named, left to right: ' + (', '.join(
                d.describe() for d in digits) or 'none'))
        if self.det is not None:
            dets = self.det([img], [name], score_thr=self.score_thr)[0]
            order = np.argsort(dets['bboxes'][:, 0], kind='stable')
            objects = [dict(digit=int(dets['labels'][i]),
                            score=round(float(dets['scores'][i]), 3),
                            box=[round(float(v), 1)
                                 for v in dets['bboxes'][i]])
                       for i in order]
            for obj in objects:
                row = classes.setdefault(obj['digit'], dict(
                    digit=obj['digit'], pixels=0, share=0.0, score=None))
                row['score'] = max(row['score'] or 0, obj['score'])
            out['detection'] = dict(png=png_base64(det_panels(img, pred=dets)),
                                    objects=objects)
            found = ', '.join(f'{o["digit"]} ({o["score"]:.2f})'
                              for o in objects) or 'none'
            words.append(f'detection, left to right: {found}')
        out['classes'] = [classes[d] for d in sorted(classes)]
        out['summary'] = '; '.join(words)
        return out

    @staticmethod
    def words(pixels: dict) -> str:
        """``'3 (120 px), 8 (98 px)'``, or ``'no digits'``."""
        found = [f'{d} ({n} px)' for d, n in sorted(pixels.items())]
        return ', '.join(found) or 'no digits'
