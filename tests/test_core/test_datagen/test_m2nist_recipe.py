"""The replayed M2NIST recipe against real M2NIST images and their digits.

``tests/data/m2nist_recipe_sample.npz`` holds the generator's first 1536
source digits and the real images 1817, 3527 and 4255, which are drawn only
from those rows.
"""
import os.path as osp
from typing import List, Sequence, Tuple

import numpy as np
import pytest

from m2nist_core.classes import BACKGROUND
from m2nist_core.datagen import replay_layout
from m2nist_core.datagen.generator import (DIGIT, GeneratorOptions, Placement,
                                           class_map, compose)
from m2nist_core.instances import Instance, box_of, derive_instances
from ...conftest import TEST_DATA

REAL = (1817, 3527, 4255)


def render(draws: Sequence[Placement], digits: np.ndarray,
           labels: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """``(image, class map)`` of one M2NIST image's ``draws``."""
    img, targets, _ = compose(draws, digits, labels, GeneratorOptions())
    return img, class_map(targets, (64, 84))


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


@pytest.fixture(scope='module')
def sample():
    with np.load(osp.join(TEST_DATA, 'm2nist_recipe_sample.npz')) as z:
        assert z['index'].tolist() == list(REAL)
        return {k: z[k] for k in z.files}


@pytest.fixture(scope='module')
def source(sample):
    """The generator's first 1536 source digits and their labels."""
    return sample['digits'], sample['labels']


@pytest.fixture(scope='module')
def m2nist(sample):
    """Real images and class maps by their index in M2NIST."""
    return ({i: img for i, img in zip(REAL, sample['combined'])},
            {i: seg for i, seg in zip(REAL, sample['segmented'])})


def test_layout_is_the_published_one():
    layout = replay_layout()
    assert len(layout) == 5000
    assert {len(d) for d in layout} == {2, 3}
    for draws in layout[:200]:
        for i, d in enumerate(draws):
            assert 28 * i <= d.x < 28 * i + 10 and 0 <= d.y < 37
            assert d.pasted == (d.x + 28 <= 84)


@pytest.mark.parametrize('index', REAL)
def test_replay_reproduces_real_images_byte_for_byte(source, m2nist, index):
    digits, labels = source
    draws = replay_layout(num_images=index + 1)[index]
    img, classes = render(draws, digits, labels)
    np.testing.assert_array_equal(img, m2nist[0][index])
    np.testing.assert_array_equal(classes, m2nist[1][index])


def test_recipe_instances_are_the_digits_ink(source, m2nist):
    """Ground truth from the layout + mask is the box of each source
    digit's own ink (where no lower class covers it)."""
    digits, labels = source
    for index in REAL:
        draws = replay_layout(num_images=index + 1)[index]
        _, classes = render(draws, digits, labels)
        expected = []
        for d in (d for d in draws if d.pasted):
            ink = np.zeros((64, 84), bool)
            ink[d.y:d.y + 28, d.x:d.x + 28] = digits[d.row] > 0
            expected.append((int(labels[d.row]),
                             box_of(*np.nonzero(ink & (classes ==
                                                       labels[d.row])))))
        assert recipe_instances(draws, classes) == sorted(
            expected, key=lambda e: e[1][:2])


def test_derived_instances_against_generator_ground_truth(source):
    """Render 300 images from the 1536 source digits (the recipe with
    another row range); the mask-only rule finds every digit exactly."""
    digits, labels = source
    layout = replay_layout(num_images=300, seed=7, num_rows=len(digits))
    right = 0
    for draws in layout:
        _, classes = render(draws, digits, labels)
        right += derive_instances(classes) == recipe_instances(draws,
                                                               classes)
    assert right >= 297  # measured: 300 (see docs/benchmarks.md)
