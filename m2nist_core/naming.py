"""Naming each digit once: group the foreground into digits, crop each one
centred as MNIST centres its digits, and let a digit classifier name it.

Steps: :func:`ink_regions` (the foreground), :func:`group_digits` (touching
digits cut where the classifier is surest), :func:`digit_crops`,
:func:`name_digits`; a detector's boxes: :func:`fit_boxes`,
:func:`box_crops`, :func:`name_boxes`. Numpy only, shared by the PyTorch
models and the runtime for exported models; the reasons and measurements
are in docs/segmentation.md ("Naming each digit whole") and
docs/detection.md.
"""
from typing import Callable, List, NamedTuple, Optional, Tuple

import cv2
import numpy as np

from .classes import BACKGROUND
from .instances import merge_close

#: The classifier: ``(K, 1, S, S)`` float32 crops -> ``(K, 10)`` probabilities.
Classify = Callable[[np.ndarray], np.ndarray]
#: The crop's side (an MNIST image's), and the widest group taken for one
#: digit (an MNIST digit's ink fits a 20x20 box; 22 leaves room for slant).
CROP_SIZE, MAX_WIDTH = 28, 22
#: A digit named with a lower probability than this is marked as unsure
#: (the classifier trains with label smoothing 0.1, so a sure name is about
#: 0.92; below 0.6 were 1.7 % of a large validation set's digits and 23 of
#: its 28 wrong names).
LOW_CONFIDENCE = 0.6
#: A detector's box is fitted to the ink within this many pixels of it
#: (chosen on the validation split: docs/detection.md).
FIT_MARGIN = 1
#: ``(dy, dx)`` shifts of each crop whose probabilities are averaged.
SHIFTS = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1))


class Digit(NamedTuple):
    """One digit found in an image.

    Attributes:
        box: ``(x1, y1, x2, y2)`` around its ink, ``x2``/``y2`` exclusive.
        crop: The ``(S, S)`` crop the classifier saw.
        probs: ``(10,)`` the classifier's probability of each digit
            (averaged over :data:`SHIFTS`).
    """
    box: Tuple[int, int, int, int]
    crop: np.ndarray
    probs: np.ndarray

    @property
    def label(self) -> int:
        """The digit's name: its most probable class."""
        return int(self.probs.argmax())

    def top(self, k: int = 3) -> List[Tuple[int, float]]:
        """The ``k`` most probable names and their probabilities."""
        order = np.argsort(-self.probs, kind='stable')[:k]
        return [(int(c), float(self.probs[c])) for c in order]

    @property
    def unsure(self) -> bool:
        """Named with a probability below :data:`LOW_CONFIDENCE`."""
        return float(self.probs.max()) < LOW_CONFIDENCE

    def describe(self) -> str:
        """``'7 (0.99; 1 0.01, 9 0.00)'``, ``'?'`` after an unsure name."""
        (best, p), *rest = self.top(3)
        others = ', '.join(f'{c} {q:.2f}' for c, q in rest)
        return f'{best}{"?" if self.unsure else ""} ({p:.2f}; {others})'


def _relabel(labels: np.ndarray) -> np.ndarray:
    """Labels renumbered ``1..K`` left to right (by first column), 0 kept."""
    ids = [k for k in np.unique(labels) if k]
    first = [np.nonzero(labels == k)[1].min() for k in ids]
    out = np.zeros(labels.shape, np.int32)
    for new, i in enumerate(np.argsort(first, kind='stable'), 1):
        out[labels == ids[i]] = new
    return out


def ink_regions(image: np.ndarray, foreground: np.ndarray,
                ink_level: float = 0.0) -> np.ndarray:
    """``(H, W)`` bool: the 8-connected regions of ink
    (``image > ink_level``, the background's value) holding a
    ``foreground`` pixel."""
    ink = image > ink_level
    _, regions = cv2.connectedComponents(ink.astype(np.uint8), connectivity=8)
    keep = np.unique(regions[foreground & ink])
    return np.isin(regions, keep[keep > 0])


def connected_digits(foreground: np.ndarray, min_piece: int = 12,
                     max_width: int = MAX_WIDTH,
                     max_gap: int = 4) -> np.ndarray:
    """The foreground's 8-connected components as digits: components of
    ``min_piece`` pixels or more whose joint box fits a ``max_width``
    square merge, closest pair first, while at most ``max_gap`` pixels
    apart; then each smaller piece joins the group nearest to it.

    Returns:
        ``(H, W)`` int32: 0 background, ``1..K`` one label per group, left
        to right.
    """
    n, comps, stats, _ = cv2.connectedComponentsWithStats(
        foreground.astype(np.uint8), connectivity=8)
    area = stats[:, cv2.CC_STAT_AREA]
    large = [k for k in range(1, n) if area[k] >= min_piece] or \
        list(range(1, n))
    boxes = [(x, y, x + w, y + h) for x, y, w, h, _ in stats[large]]
    labels = np.zeros(comps.shape, np.int32)
    for k, group in enumerate(
            merge_close(boxes, [[i] for i in large], max_width, max_gap), 1):
        labels[np.isin(comps, group)] = k
    pieces = (comps > 0) & (labels == 0)
    if pieces.any():
        # each piece pixel joins the group of its nearest group pixel
        _, nearest = cv2.distanceTransformWithLabels(
            (labels == 0).astype(np.uint8), cv2.DIST_L2, 5,
            labelType=cv2.DIST_LABEL_PIXEL)
        owner = np.zeros(nearest.max() + 1, np.int32)
        owner[nearest[labels > 0]] = labels[labels > 0]
        for k in np.unique(comps[pieces]):
            piece = comps == k
            labels[piece] = np.bincount(owner[nearest[piece]]).argmax()
    return _relabel(labels)


def digit_crops(image: np.ndarray, labels: np.ndarray,
                size: int = CROP_SIZE) -> np.ndarray:
    """``(K, size, size)`` float32 crops, one per label ``1..K`` of
    ``labels``, centred on its centre of ink mass in ``image`` (background
    0), holding its ink alone (outside pixels are 0)."""
    count = int(labels.max())
    crops = np.zeros((count, size, size), np.float32)
    ys, xs = np.nonzero(labels)
    which = labels[ys, xs] - 1
    ink = image[ys, xs].astype(np.float64)
    weight = np.bincount(which, ink, count)
    pixels = np.bincount(which, minlength=count)
    # centre of ink mass (of the pixels, for a label without ink)
    inkless = weight[which] <= 0
    ink = np.where(inkless, 1.0, ink)
    weight = np.where(weight > 0, weight, pixels)
    cy = np.rint(np.bincount(which, ys * ink, count) / weight).astype(int)
    cx = np.rint(np.bincount(which, xs * ink, count) / weight).astype(int)
    y = ys - cy[which] + size // 2
    x = xs - cx[which] + size // 2
    inside = (y >= 0) & (y < size) & (x >= 0) & (x < size)
    crops[which[inside], y[inside], x[inside]] = image[ys[inside], xs[inside]]
    return crops


def _pixel_box(box: np.ndarray, shape: Tuple[int, int],
               margin: int = 0) -> Tuple[int, int, int, int]:
    """``box`` ``(x1, y1, x2, y2)`` rounded outwards to whole pixels,
    widened by ``margin`` and clipped to an image of ``shape``."""
    x1, y1, x2, y2 = (float(v) for v in box)
    h, w = shape
    return (max(int(np.floor(x1)) - margin, 0),
            max(int(np.floor(y1)) - margin, 0),
            min(int(np.ceil(x2)) + margin, w),
            min(int(np.ceil(y2)) + margin, h))


def fit_boxes(image: np.ndarray, boxes: np.ndarray, ink_level: float = 0.0,
              margin: int = FIT_MARGIN) -> np.ndarray:
    """A detector's boxes made tight around their digits' ink, as the data
    set's boxes are: each box, widened by ``margin`` pixels, shrinks to the
    ink (pixels above ``ink_level``) inside it. A box without ink stays.

    Args:
        boxes: ``(K, 4)`` ``x1, y1, x2, y2`` in the image's pixels
            (rounded outwards, clipped to the image).

    Returns:
        ``(K, 4)`` float32, ``x2``/``y2`` exclusive.
    """
    fitted = np.array(boxes, np.float32).reshape(-1, 4)
    ink = image > ink_level
    for k, box in enumerate(fitted):
        x1, y1, x2, y2 = _pixel_box(box, image.shape, margin)
        ys, xs = np.nonzero(ink[y1:y2, x1:x2])
        if len(ys):
            fitted[k] = (x1 + xs.min(), y1 + ys.min(), x1 + xs.max() + 1,
                         y1 + ys.max() + 1)
    return fitted


def box_crops(image: np.ndarray, boxes: np.ndarray,
              ink_level: float = 0.0, size: int = CROP_SIZE) -> np.ndarray:
    """One crop per box, as :func:`digit_crops` crops a digit: the ink
    (pixels above ``ink_level``) inside the box. Boxes may overlap.

    Args:
        boxes: ``(K, 4)`` ``x1, y1, x2, y2`` in the image's pixels
            (rounded outwards, clipped to the image).

    Returns:
        ``(K, size, size)`` float32 (zeros for a box without ink).
    """
    crops = np.zeros((len(boxes), size, size), np.float32)
    ink = image > ink_level
    for k, box in enumerate(np.asarray(boxes)):
        x1, y1, x2, y2 = _pixel_box(box, image.shape)
        inside = np.zeros(image.shape, np.int32)
        inside[y1:y2, x1:x2] = ink[y1:y2, x1:x2]
        if inside.any():
            crops[k] = digit_crops(image, inside, size)[0]
    return crops


def _classify(classify: Classify, crops: np.ndarray) -> np.ndarray:
    if not len(crops):
        return np.zeros((0, 10), np.float32)
    return np.asarray(classify(crops[:, None]), np.float32)


def shifted_probs(classify: Classify, crops: np.ndarray) -> np.ndarray:
    """``(K, 10)`` probabilities of ``(K, S, S)`` crops, averaged over the
    crops moved by each of :data:`SHIFTS` (one classifier call)."""
    if not len(crops):
        return np.zeros((0, 10), np.float32)
    moved = np.concatenate([np.roll(crops, s, (1, 2)) for s in SHIFTS])
    probs = _classify(classify, moved)
    return probs.reshape(len(SHIFTS), len(crops), -1).mean(0)


def split_wide(image: np.ndarray, labels: np.ndarray, classify: Classify,
               max_width: int = MAX_WIDTH, min_part: int = 4,
               size: int = CROP_SIZE) -> np.ndarray:
    """Cut each group of :func:`connected_digits` wider than ``max_width``
    in two, between the columns where the classifier is most confident
    about both parts; parts still too wide are cut again. A cut leaves at
    least ``min_part`` columns each side. Returns the labels renumbered
    left to right."""
    out = labels.copy()
    todo = list(range(1, int(labels.max()) + 1))
    next_id = int(labels.max()) + 1
    while todo:
        k = todo.pop()
        ys, xs = np.nonzero(out == k)
        y1, y2, x1, x2 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        if x2 - x1 <= max_width:
            continue
        # within the group's box: the crops hold the group's ink alone
        group = out[y1:y2, x1:x2] == k
        box = image[y1:y2, x1:x2]
        cols = np.arange(x2 - x1)[None]
        cuts = [c for c in range(min_part, x2 - x1 - min_part + 1)
                if group[:, :c].any() and group[:, c:].any()]
        if not cuts:
            continue
        crops = np.concatenate([
            digit_crops(box, np.where(group, 1 + (cols >= c), 0), size)
            for c in cuts])
        top = _classify(classify, crops).max(1).reshape(len(cuts), 2)
        cut = x1 + cuts[int(np.argmax(np.log(top + 1e-12).sum(1)))]
        right = out == k
        right[:, :cut] = False
        out[right] = next_id
        todo += [k, next_id]
        next_id += 1
    return _relabel(out)


def group_digits(image: np.ndarray, foreground: np.ndarray,
                 classify: Classify, min_piece: int = 12,
                 max_width: int = MAX_WIDTH) -> np.ndarray:
    """``(H, W)`` int32 labels of one image's digits (0 background):
    :func:`connected_digits`, then :func:`split_wide`."""
    labels = connected_digits(foreground, min_piece, max_width)
    return split_wide(image, labels, classify, max_width)


def name_digits(image: np.ndarray, foreground: np.ndarray,
                classify: Classify, min_piece: int = 12,
                max_width: int = MAX_WIDTH, size: int = CROP_SIZE,
                ink_level: Optional[float] = 0.0
                ) -> Tuple[np.ndarray, List[Digit]]:
    """Group the foreground into digits and name each one whole.

    Args:
        image: ``(H, W)`` float image as the model sees it (background 0).
        foreground: ``(H, W)`` bool, the segmenter's digit pixels.
        ink_level: See :func:`ink_regions`; None takes ``foreground`` as
            it is.

    Returns:
        ``(labels, digits)``: ``(H, W)`` int32, 0 background and ``k`` the
        pixels of ``digits[k - 1]``; the digits, left to right.

    Raises:
        ValueError: ``image`` and ``foreground`` of other shapes.
    """
    if image.ndim != 2 or image.shape != foreground.shape:
        raise ValueError(f'name_digits: expected an (H, W) image and a '
                         f'foreground of that shape, got {image.shape} and '
                         f'{foreground.shape}')
    foreground = foreground.astype(bool)
    if ink_level is not None:
        foreground = ink_regions(image, foreground, ink_level)
    labels = group_digits(image, foreground, classify, min_piece, max_width)
    crops = digit_crops(image, labels, size)
    probs = shifted_probs(classify, crops)
    digits = []
    for k in range(1, len(crops) + 1):
        ys, xs = np.nonzero(labels == k)
        digits.append(
            Digit((int(xs.min()), int(ys.min()), int(xs.max()) + 1,
                   int(ys.max()) + 1), crops[k - 1], probs[k - 1]))
    return labels, digits


def name_boxes(image: np.ndarray, boxes: np.ndarray, classify: Classify,
               ink_level: float = 0.0,
               size: int = CROP_SIZE) -> Tuple[np.ndarray, np.ndarray]:
    """A detector's boxes fitted to their ink (:func:`fit_boxes`) and the
    classifier's ``(K, 10)`` probabilities for the digit in each fitted box
    (:func:`box_crops`, averaged over :data:`SHIFTS`).

    Raises:
        ValueError: ``image`` not ``(H, W)`` or ``boxes`` not ``(K, 4)``.
    """
    boxes = np.asarray(boxes)
    if image.ndim != 2 or boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f'name_boxes: expected an (H, W) image and (K, 4) '
                         f'boxes, got {image.shape} and {boxes.shape}')
    fitted = fit_boxes(image, boxes, ink_level)
    return fitted, shifted_probs(classify,
                                 box_crops(image, fitted, ink_level, size))


def class_map(labels: np.ndarray, digits: List[Digit]) -> np.ndarray:
    """``(H, W)`` ``uint8`` class indices (0-9 digits, 10 background): each
    digit's pixels take its name."""
    names = np.array([BACKGROUND] + [d.label for d in digits], np.uint8)
    return names[labels]


def true_digits(mask: np.ndarray, min_pixels: int = 30) -> Tuple[
        np.ndarray, np.ndarray]:
    """The digits a class mask (0-9 digits, any other value background)
    draws, for training a classifier: the 8-connected components of each
    digit class with at least ``min_pixels`` pixels (smaller ones are the
    visible parts of digits that others cover).

    Returns:
        ``(labels, classes)``: ``(H, W)`` int32 labels ``1..K`` (0 where no
        digit is kept) and ``(K,)`` int64 classes.
    """
    labels = np.zeros(mask.shape, np.int32)
    classes = []
    for cls in np.unique(mask[mask < BACKGROUND]):
        n, comp, stats, _ = cv2.connectedComponentsWithStats(
            (mask == cls).astype(np.uint8), connectivity=8)
        for k in range(1, n):
            if stats[k, cv2.CC_STAT_AREA] >= min_pixels:
                classes.append(int(cls))
                labels[comp == k] = len(classes)
    return labels, np.asarray(classes, np.int64)


def true_digit_crops(images: np.ndarray, masks: np.ndarray,
                     min_pixels: int = 30, size: int = CROP_SIZE
                     ) -> Tuple[np.ndarray, np.ndarray]:
    """Every digit of :func:`true_digits` in ``(N, H, W)`` uint8 images and
    their class masks, cropped by :func:`digit_crops`.

    Returns:
        ``(crops, classes)``: ``(K, size, size)`` uint8 and ``(K,)`` int64.
    """
    crops, classes = [np.zeros((0, size, size), np.uint8)], [
        np.zeros(0, np.int64)]
    for image, mask in zip(images, masks):
        labels, cls = true_digits(mask, min_pixels)
        if len(cls):
            crops.append(digit_crops(image.astype(np.float32), labels,
                                     size).astype(np.uint8))
            classes.append(cls)
    return np.concatenate(crops), np.concatenate(classes)
