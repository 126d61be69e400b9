"""The multi-digit image generator: the M2NIST recipe (``'m2nist'``
placement) and MNIST-extended's (``'random'``), composed as M2NIST does.

Placements, composition and options: ``docs/data.md``, "Generators and
readers".
"""
from dataclasses import dataclass
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

import cv2
import numpy as np

from ..instances import box_of
from .scales import log_uniform_scales

DIGIT = 28
NUM_DIGITS = 10
PLACEMENTS = ('m2nist', 'random')
OVERLAP_RULES = ('iou', 'mnist_extended')


class GenerationError(RuntimeError):
    """Options that cannot be met (the message says which)."""


class Placement(NamedTuple):
    """One digit drawn for an image: source row, block corner, pasted, side."""
    row: int
    x: int
    y: int
    pasted: bool
    size: int = DIGIT


class Digit(NamedTuple):
    """Ground truth of one drawn digit.

    ``box`` is ``(x1, y1, x2, y2)`` (``x2``/``y2`` exclusive) tight around
    what its target keeps of it (``whole_box``: its block); ``None`` when
    not pasted or nothing is kept.
    """
    row: int
    label: int
    x: int
    y: int
    pasted: bool
    size: int
    box: Optional[Tuple[int, int, int, int]]


@dataclass(frozen=True)
class GeneratorOptions:
    """What to generate; every value is checked on construction.

    Args:
        img_shape: ``(H, W)`` of the images, each at least 28.
        min_digits: Fewest digits drawn per image.
        max_digits: Most digits drawn per image (M2NIST: 2-3).
        num_classes: Digits ``0 .. num_classes - 1`` are drawn.
        placement: ``'m2nist'`` or ``'random'`` (module docstring).
        max_overlap: Largest overlap of a digit's box with any earlier one
            (``'random'`` placement only; ``None``: no limit).
        overlap_rule: ``'iou'`` (intersection / union) or
            ``'mnist_extended'`` (intersection / sum of the two areas, what
            MNIST-extended's ``max_iou`` computes; for compatibility).
        exclusive: One class per pixel (lowest wins) or several.
        soft: Targets are the ink's intensity / 255 instead of ``> 0``.
        whole_box: A digit's target is its whole 28x28 block.
        max_attempts: Positions tried per digit, and layouts tried per
            image, before giving up with :class:`GenerationError`.
        digit_scale: ``(lo, hi)``: each image's digits rescaled by one
            factor drawn log-uniformly in ``[lo, hi]`` (none drawn when
            ``lo == hi``), positions scaled with them. ``None``: 28 px, no
            draw (the recipe).
    """
    img_shape: Tuple[int, int] = (64, 84)
    min_digits: int = 2
    max_digits: int = 3
    num_classes: int = NUM_DIGITS
    placement: str = 'm2nist'
    max_overlap: Optional[float] = None
    overlap_rule: str = 'iou'
    exclusive: bool = True
    soft: bool = False
    whole_box: bool = False
    max_attempts: int = 100
    digit_scale: Optional[Tuple[float, float]] = None

    def __post_init__(self) -> None:
        h, w = self.img_shape
        lo, hi = self.digit_scale or (1, 1)
        if not (isinstance(lo, (int, float)) and isinstance(hi, (int, float))
                and 0 < lo <= hi):
            raise ValueError('GeneratorOptions: digit_scale must be (lo, hi) '
                             f'with 0 < lo <= hi, got {self.digit_scale!r}')
        biggest = block_size(hi)
        checks = [
            (all(isinstance(v, int) and v >= biggest for v in (h, w)),
             f'img_shape must be two ints >= {biggest} (the largest digit '
             f'block), got {self.img_shape}'),
            (isinstance(self.min_digits, int) and isinstance(
                self.max_digits, int) and 1 <= self.min_digits <=
             self.max_digits, 'need 1 <= min_digits <= max_digits, got '
             f'{self.min_digits}, {self.max_digits}'),
            (isinstance(self.num_classes, int)
             and 1 <= self.num_classes <= NUM_DIGITS,
             f'num_classes must be 1-10, got {self.num_classes!r}'),
            (self.placement in PLACEMENTS,
             f'placement must be one of {PLACEMENTS}, got '
             f'{self.placement!r}'),
            (self.overlap_rule in OVERLAP_RULES,
             f'overlap_rule must be one of {OVERLAP_RULES}, got '
             f'{self.overlap_rule!r}'),
            (self.max_overlap is None or 0 <= self.max_overlap <= 1,
             f'max_overlap must be in [0, 1], got {self.max_overlap!r}'),
            (self.max_overlap is None or self.placement == 'random',
             "max_overlap needs placement='random' (the M2NIST recipe's "
             'positions are fixed by its random calls)'),
            (not (self.soft and self.whole_box),
             'soft targets are ink intensities; whole_box targets are '
             'binary blocks: choose one'),
            (isinstance(self.max_attempts, int) and self.max_attempts >= 1,
             f'max_attempts must be a positive int, got '
             f'{self.max_attempts!r}'),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(f'GeneratorOptions: {message}')
        side = block_size(lo)
        if (self.placement == 'random' and self.max_overlap == 0
                and self.max_digits * side * side > h * w):
            raise ValueError(
                f'GeneratorOptions: {self.max_digits} digits of {side}x{side} '
                f'cannot lie without overlap in a {h}x{w} image')


def block_size(scale: float) -> int:
    """Side of a digit's block at ``scale``."""
    return max(1, int(round(DIGIT * scale)))


def overlap(a: Tuple[int, int], b: Tuple[int, int], rule: str,
            size: int = DIGIT) -> float:
    """Overlap (0-1) of the ``size`` squares at corners ``a`` and ``b`` by
    ``rule`` (:class:`GeneratorOptions`' ``overlap_rule``)."""
    iw = max(0, size - abs(a[0] - b[0]))
    ih = max(0, size - abs(a[1] - b[1]))
    inter = iw * ih
    area = size * size
    return inter / (2 * area if rule == 'mnist_extended' else
                    2 * area - inter)


def _positions(rng: np.random.RandomState, n: int, size: int,
               opts: GeneratorOptions) -> Optional[List[Tuple[int, int]]]:
    """Random corners of ``n`` digits within the overlap limit, or None."""
    h, w = opts.img_shape
    corners: List[Tuple[int, int]] = []
    for _ in range(n):
        for _ in range(opts.max_attempts):
            xy = int(rng.randint(w - size + 1)), int(rng.randint(h - size +
                                                                 1))
            if opts.max_overlap is None or all(
                    overlap(xy, c, opts.overlap_rule, size) <=
                    opts.max_overlap for c in corners):
                corners.append(xy)
                break
        else:
            return None
    return corners


def draw_image(rng: np.random.RandomState, pool_size: int,
               opts: GeneratorOptions) -> List[Placement]:
    """The digits of one image (rows below ``pool_size``) drawn with
    ``rng``, in drawing order (``'m2nist'``: those that do not fit too,
    not pasted).

    Raises:
        GenerationError: ``max_attempts`` layouts failed.
    """
    h, w = opts.img_shape
    n = rng.randint(low=opts.min_digits, high=opts.max_digits + 1)
    rows = rng.randint(0, pool_size, n)
    scale = 1.0
    if opts.digit_scale:
        lo, hi = opts.digit_scale
        scale = lo if lo == hi else float(
            log_uniform_scales(rng, 1, lo, hi)[0])
    size = block_size(scale)
    if opts.placement == 'm2nist':
        step = max(1, int(round(10 * scale)))
        draws = []
        for i, row in enumerate(rows):
            x = rng.randint(i * size, i * size + step)
            y = rng.randint(0, h - size + 1)
            draws.append(Placement(int(row), int(x), int(y), x + size <= w,
                                   size))
        return draws
    for _ in range(opts.max_attempts):
        corners = _positions(rng, n, size, opts)
        if corners is not None:
            return [Placement(int(r), x, y, True, size)
                    for r, (x, y) in zip(rows, corners)]
    raise GenerationError(
        f'cannot place {n} digits in a {h}x{w} image with max_overlap '
        f'{opts.max_overlap} ({opts.overlap_rule}): {opts.max_attempts} '
        f'layouts of {opts.max_attempts} tries per digit failed; lower '
        'max_digits or raise max_overlap')


def resize_ink(ink: np.ndarray, shape: Tuple[int, int]) -> np.ndarray:
    """``uint8`` grey ``ink`` resized to ``shape``: bicubic when growing,
    area-averaged when shrinking, rounded and clipped to 0-255."""
    shape = tuple(int(v) for v in shape)
    if shape == ink.shape[:2]:
        return ink
    grow = shape[0] * shape[1] > ink.shape[0] * ink.shape[1]
    out = cv2.resize(ink.astype(np.float32), shape[::-1],
                     interpolation=cv2.INTER_CUBIC if grow else
                     cv2.INTER_AREA)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def _box(pixels: np.ndarray) -> Optional[Tuple[int, int, int, int]]:
    ys, xs = np.nonzero(pixels)
    return box_of(ys, xs) if len(ys) else None


def compose(draws: Sequence[Placement], digits: np.ndarray,
            labels: np.ndarray, opts: GeneratorOptions
            ) -> Tuple[np.ndarray, Dict[int, np.ndarray], List[Digit]]:
    """Compose the image of ``draws`` from source ``digits`` and ``labels``.

    Returns:
        ``(image, targets, found)``: ``uint8`` ``(H, W)`` image,
        ``{class: (H, W) target}`` (``uint8`` 0/1, or ``float32`` in
        [0, 1] with ``soft``; only classes pasted), one :class:`Digit` per
        draw.
    """
    shape = tuple(opts.img_shape)
    ink: Dict[int, np.ndarray] = {}
    owner: Dict[int, np.ndarray] = {}
    for k, d in enumerate(draws):
        if d.pasted:
            cls = int(labels[d.row])
            if cls not in ink:
                ink[cls] = np.zeros(shape, np.uint8)
                owner[cls] = np.full(shape, -1, np.int16)
            block = (slice(d.y, d.y + d.size), slice(d.x, d.x + d.size))
            ink[cls][block] = resize_ink(digits[d.row], (d.size, d.size))
            owner[cls][block] = k
    targets = {}
    claimed = np.zeros(shape, bool)
    for cls in sorted(ink):
        if opts.whole_box:
            target = (owner[cls] >= 0).astype(np.uint8)
        elif opts.soft:
            target = ink[cls].astype(np.float32) / 255
        else:
            target = (ink[cls] > 0).astype(np.uint8)
        if opts.exclusive:
            target[claimed] = 0
            claimed |= target > 0
        targets[cls] = target
    found = []
    for k, d in enumerate(draws):
        cls = int(labels[d.row])
        box = None
        if d.pasted:
            box = _box((owner[cls] == k) & (targets[cls] > 0))
        if box and opts.whole_box:
            box = (d.x, d.y, d.x + d.size, d.y + d.size)
        found.append(Digit(d.row, cls, d.x, d.y, d.pasted, d.size, box))
    image = (np.max(list(ink.values()), axis=0) if ink else
             np.zeros(shape, np.uint8))
    return image, targets, found


def class_map(targets: Dict[int, np.ndarray],
              shape: Tuple[int, int]) -> np.ndarray:
    """``uint8`` class indices of ``{class: target}`` (> 0 where the class
    is), background 10; the lowest class wins."""
    out = np.full(shape, NUM_DIGITS, np.uint8)
    for cls in sorted(targets, reverse=True):
        out[targets[cls] > 0] = cls
    return out


def channels(targets: Dict[int, np.ndarray], shape: Tuple[int, int],
             dtype: np.dtype) -> np.ndarray:
    """``(H, W, 11)`` array of ``{class: target}``: one channel per digit
    class (0 where absent), background last (1 - the largest target)."""
    out = np.zeros(tuple(shape) + (NUM_DIGITS + 1, ), dtype)
    for cls, target in targets.items():
        out[..., cls] = target
    out[..., NUM_DIGITS] = 1 - out[..., :NUM_DIGITS].max(2)
    return out
