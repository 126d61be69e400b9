"""The published M2NIST generator recipe, replayed call for call.

farhanhubble's generator (``udacity-connect/segmented-generator.ipynb``,
function ``combine``) seeds numpy's legacy RNG once (1234) and, per image,
draws ``randint(2, 4)`` digits, then all their source rows at once
(``randint(0, 42000, n)``), then for digit ``i`` ``x = randint(28i, 28i+10)``
and ``y = randint(0, 37)``. A digit is pasted only when it fits
(``x + 28 <= 84``); its whole 28x28 block overwrites its class channel.
The image is the max over channels; the class map is the argmax of the
channels' ``> 0`` masks with background last, i.e. the lowest class wins
where inks overlap. Replaying the layout reproduces the real M2NIST: the
digits drawn from the first 1536 source rows match pixel for pixel.
"""
from typing import List, Sequence, Tuple

import numpy as np

from ..classes import BACKGROUND
from ..instances import Instance, box_of
from .generator import (DIGIT, GeneratorOptions, Placement, class_map, compose,
                        draw_image)


def replay_layout(num_images: int = 5000,
                  seed: int = 1234,
                  num_rows: int = 42000,
                  img_shape: Tuple[int, int] = (64, 84)
                  ) -> List[List[Placement]]:
    """The digits drawn for each image, in the generator's call order.

    Args:
        num_images: Images drawn.
        seed: Seed of the generator's ``RandomState``.
        num_rows: Source rows drawn from (``train.csv``: 42000).
        img_shape: ``(H, W)`` of the images.

    Returns:
        Per image, its placements.
    """
    rng = np.random.RandomState(seed)
    opts = GeneratorOptions(img_shape=tuple(img_shape))
    return [draw_image(rng, num_rows, opts) for _ in range(num_images)]


def render(draws: Sequence[Placement], digits: np.ndarray,
           labels: np.ndarray,
           img_shape: Tuple[int, int] = (64, 84)
           ) -> Tuple[np.ndarray, np.ndarray]:
    """One image and its class map from source ``digits`` ``(N, 28, 28)``.

    Args:
        draws: The image's placements (:func:`replay_layout`).
        digits: ``uint8`` source digits, indexed by ``row``.
        labels: ``(N,)`` digit labels of ``digits``.
        img_shape: ``(H, W)`` of the image.

    Returns:
        ``(image, class map)``: ``uint8`` ``(H, W)`` each, background 10.
    """
    img, targets, _ = compose(draws, digits, labels,
                              GeneratorOptions(img_shape=tuple(img_shape)))
    return img, class_map(targets, tuple(img_shape))


def _block(d: Placement, shape: Tuple[int, int]) -> np.ndarray:
    out = np.zeros(shape, bool)
    out[d.y:d.y + DIGIT, d.x:d.x + DIGIT] = True
    return out


def recipe_instances(draws: Sequence[Placement],
                     mask: np.ndarray) -> List[Instance]:
    """Ground-truth instances of one image from its layout and class map.

    A pasted digit's class is the class of the ink that only its block
    covers (a digit with no such ink is not an instance); its ink is that
    class's pixels in its block, less the blocks of later digits of the
    same class, which overwrote it. Sorted like ``derive_instances``.

    Args:
        draws: The image's placements (:func:`replay_layout`).
        mask: Its ``(H, W)`` class map.

    Returns:
        ``(class, (x1, y1, x2, y2))`` per instance.

    Raises:
        ValueError: The mask does not follow the layout.
    """
    blocks = [_block(d, mask.shape) for d in draws if d.pasted]
    classes = []
    for k, own in enumerate(blocks):
        alone = own & ~np.any(blocks[:k] + blocks[k + 1:] + [~own], axis=0)
        found = np.unique(mask[alone & (mask != BACKGROUND)])
        if len(found) > 1:
            raise ValueError(
                f'recipe_instances: block {k} holds classes {found.tolist()} '
                'where no other block lies; the mask does not follow the '
                'recipe layout')
        classes.append(int(found[0]) if len(found) else None)
    out = []
    for k, (own, cls) in enumerate(zip(blocks, classes)):
        if cls is None:
            continue
        ink = own & (mask == cls)
        for later, later_cls in zip(blocks[k + 1:], classes[k + 1:]):
            if later_cls == cls:
                ink &= ~later
        if ink.any():
            out.append((cls, box_of(*np.nonzero(ink))))
    return sorted(out, key=lambda inst: (inst[1][0], inst[1][1]))
