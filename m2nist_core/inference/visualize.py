"""Predictions as PNGs: colour masks, overlays, boxes drawn on the image,
and readable panels (enlarged, titled, with a class legend)."""
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np

from ..classes import BACKGROUND, PALETTE
from ..naming import Digit

#: Enlargement of the panels: a 64x84 image becomes 256x336.
SCALE = 4
#: The colour of a wrong pixel in the errors panel (BGR: red).
ERROR_BGR = (40, 40, 255)
_FONT = cv2.FONT_HERSHEY_SIMPLEX


def colorize(label: np.ndarray) -> np.ndarray:
    """``(H, W, 3)`` BGR image with each class in its palette colour."""
    palette = np.array(PALETTE, np.uint8)[:, ::-1]
    return palette[label]


def overlay(img: np.ndarray, label: np.ndarray,
            alpha: float = 0.6) -> np.ndarray:
    """``(H, W, 3)`` BGR: digit pixels of ``label`` tinted with their class
    colour (weight ``alpha``) over the grey image."""
    base = np.repeat(img[..., None], 3, axis=2).astype(np.float32)
    tint = colorize(label).astype(np.float32)
    digit = (label != BACKGROUND)[..., None]
    out = np.where(digit, (1 - alpha) * base + alpha * tint, base)
    return out.round().astype(np.uint8)


def digits_found(label: np.ndarray, min_pixels: int = 1) -> Dict[int, int]:
    """``{digit: pixel count}`` of the digit classes with at least
    ``min_pixels`` pixels in ``label``."""
    counts = np.bincount(label.ravel(), minlength=BACKGROUND + 1)
    return {d: int(n) for d, n in enumerate(counts[:BACKGROUND])
            if n >= min_pixels}


def draw_detections(img: np.ndarray, dets: Dict[str, np.ndarray],
                    scale: int = 4) -> np.ndarray:
    """The image (grey or BGR) enlarged ``scale`` times (nearest), with each
    box in its class colour, labelled ``digit score`` (``digit`` when
    ``dets`` has no scores: ground truth).

    Args:
        img: Grey ``(H, W)`` or BGR ``(H, W, 3)`` ``uint8`` image.
        dets: ``bboxes`` ``(K, 4)`` ``x1, y1, x2, y2`` in ``img``'s pixels,
            ``labels`` ``(K,)`` digits and, optionally, ``scores`` ``(K,)``.
        scale: Enlargement factor.

    Returns:
        BGR image of ``scale`` times ``img``'s size.
    """
    out = enlarge(img, scale).copy()
    scores = dets.get('scores')
    for k, (box, label) in enumerate(zip(dets['bboxes'], dets['labels'])):
        colour = tuple(int(c) for c in PALETTE[int(label)][::-1])
        x1, y1, x2, y2 = (np.asarray(box) * scale).round().astype(int)
        cv2.rectangle(out, (x1, y1), (x2 - 1, y2 - 1), colour, 1)
        text = f'{int(label)}' if scores is None else \
            f'{int(label)} {scores[k]:.2f}'
        cv2.putText(out, text, (x1, max(y1 - 3, 9)), _FONT, 0.35, colour, 1,
                    cv2.LINE_AA)
    return out


def enlarge(img: np.ndarray, scale: int = SCALE) -> np.ndarray:
    """``img`` (grey or BGR) ``scale`` times larger, nearest neighbour, as
    BGR."""
    out = cv2.resize(img, None, fx=scale, fy=scale,
                     interpolation=cv2.INTER_NEAREST)
    return cv2.cvtColor(out, cv2.COLOR_GRAY2BGR) if out.ndim == 2 else out


def errors(img: np.ndarray, truth: np.ndarray,
           pred: np.ndarray) -> np.ndarray:
    """``(H, W, 3)`` BGR: the grey image dimmed, each pixel whose predicted
    class differs from the truth in red."""
    out = np.repeat((img // 3)[..., None], 3, axis=2).astype(np.uint8)
    out[truth != pred] = ERROR_BGR
    return out


def titled(panel: np.ndarray, title: str) -> np.ndarray:
    """``panel`` (BGR) under a 20-pixel strip with ``title`` in white."""
    strip = np.zeros((20, panel.shape[1], 3), np.uint8)
    cv2.putText(strip, title, (4, 14), _FONT, 0.45, (255, 255, 255), 1,
                cv2.LINE_AA)
    return np.concatenate([strip, panel])


def legend(width: int, classes: Sequence[int] = range(BACKGROUND)
           ) -> np.ndarray:
    """A strip ``width`` pixels wide: a swatch of each class's colour and
    its digit (``bg`` for the background)."""
    strip = np.full((22, width, 3), 32, np.uint8)
    step = max(width // max(len(classes), 1), 1)
    for k, c in enumerate(classes):
        x = k * step + 3
        colour = tuple(int(v) for v in PALETTE[c][::-1])
        cv2.rectangle(strip, (x, 5), (x + 11, 16), colour, -1)
        cv2.putText(strip, 'bg' if c == BACKGROUND else str(c),
                    (x + 14, 16), _FONT, 0.4, (255, 255, 255), 1,
                    cv2.LINE_AA)
    return strip


def side_by_side(panels: Sequence[np.ndarray]) -> np.ndarray:
    """BGR panels of one height in a row, 4 grey pixels apart."""
    gap = np.full((panels[0].shape[0], 4, 3), 96, np.uint8)
    return np.concatenate([x for panel in panels for x in (gap, panel)][1:],
                          axis=1)


def seg_panels(img: np.ndarray, truth: Optional[np.ndarray] = None,
               pred: Optional[np.ndarray] = None,
               scale: int = SCALE) -> np.ndarray:
    """truth | prediction | errors, enlarged and titled, over a legend.

    Panels are left out when their map is ``None`` (errors need both). The
    errors panel's title counts the wrong pixels.

    Args:
        img: Grey ``(H, W)`` ``uint8`` image.
        truth: ``(H, W)`` class indices (background 10), or ``None``.
        pred: ``(H, W)`` class indices, or ``None``.
        scale: Enlargement factor.

    Returns:
        BGR ``uint8`` image.
    """
    panels: List[np.ndarray] = []
    for name, label in (('truth', truth), ('prediction', pred)):
        if label is not None:
            panels.append(titled(enlarge(overlay(img, label), scale), name))
    if truth is not None and pred is not None:
        wrong = int((truth != pred).sum())
        panels.append(titled(enlarge(errors(img, truth, pred), scale),
                             f'errors: {wrong} px'))
    if not panels:
        panels.append(titled(enlarge(img, scale), 'image'))
    row = side_by_side(panels)
    return np.concatenate([row, legend(row.shape[1])])


def det_panels(img: np.ndarray, truth: Optional[Dict[str, np.ndarray]] = None,
               pred: Optional[Dict[str, np.ndarray]] = None,
               scale: int = SCALE) -> np.ndarray:
    """truth | prediction boxes, enlarged and titled, over a legend.

    Args:
        img: Grey ``(H, W)`` or BGR ``uint8`` image.
        truth: ``bboxes`` and ``labels`` (no scores), or ``None``.
        pred: ``bboxes``, ``labels`` and ``scores``, or ``None``.
        scale: Enlargement factor.

    Returns:
        BGR ``uint8`` image.
    """
    row = side_by_side(
        [titled(draw_detections(img, dets, scale), name)
         for name, dets in (('truth', truth), ('prediction', pred))
         if dets is not None] or [titled(enlarge(img, scale), 'image')])
    return np.concatenate([row, legend(row.shape[1])])


def digit_panels(digits: Sequence[Digit], scale: int = SCALE) -> np.ndarray:
    """What the classifier saw and said, per digit, left to right: its crop
    enlarged, titled with its name and probability, over its top three
    names. An unsure digit (:attr:`Digit.unsure`) is framed in red and its
    name marked ``?``.

    Args:
        digits: The digits (:func:`m2nist_core.naming.name_digits`).
        scale: Enlargement of the crops.

    Returns:
        BGR ``uint8`` image (a blank strip saying so when there is none).
    """
    if not digits:
        return titled(np.zeros((28 * scale, 28 * scale, 3), np.uint8),
                      'no digit')
    cards = []
    for digit in digits:
        crop = np.clip(digit.crop * 255, 0, 255).astype(np.uint8)
        card = enlarge(crop, scale).copy()
        if digit.unsure:
            cv2.rectangle(card, (0, 0), (card.shape[1] - 1,
                                         card.shape[0] - 1), ERROR_BGR, 2)
        (best, p), *rest = digit.top(3)
        lines = np.zeros((18 * len(rest) + 4, card.shape[1], 3), np.uint8)
        for i, (c, q) in enumerate(rest):
            cv2.putText(lines, f'{c}: {q:.2f}', (4, 16 + 18 * i), _FONT,
                        0.45, (200, 200, 200), 1, cv2.LINE_AA)
        mark = '?' if digit.unsure else ''
        cards.append(np.concatenate(
            [titled(card, f'{best}{mark}: {p:.2f}'), lines]))
    return side_by_side(cards)
