"""The mask -> instance rule on the real M2NIST masks, against ground truth
from the replayed generator recipe (seed 1234): every digit's class and
28x28 block from the layout, its ink from the mask."""
import numpy as np
import pytest

from m2nist_core.classes import BACKGROUND, CLASSES
from m2nist_core.datagen import replay_layout
from m2nist_core.instances import derive_instances
from m2nist_core.splits import read_split
from ...conftest import full_data, load_kaggle_sample
from .test_m2nist_recipe import recipe_instances


def outside_blocks(mask: np.ndarray, draws) -> bool:
    """Whether the mask has foreground outside the pasted digits' blocks."""
    blocks = np.zeros(mask.shape, bool)
    for d in draws:
        if d.pasted:
            blocks[d.y:d.y + 28, d.x:d.x + 28] = True
    return bool(((mask != BACKGROUND) & ~blocks).any())


def right_images(masks: np.ndarray, layout, max_gap: int) -> list:
    """Per image, whether the rule finds exactly its true instances."""
    return [derive_instances(m, max_gap=max_gap) == recipe_instances(d, m)
            for m, d in zip(masks, layout)]


@pytest.mark.slow
def test_rule_on_the_first_real_images():
    """The 10 real images of tests/data: the replayed layout holds all
    their foreground and the rule finds every digit exactly."""
    _, onehot = load_kaggle_sample()
    masks = onehot.argmax(-1).astype(np.uint8)
    layout = replay_layout(num_images=len(masks))
    assert not any(outside_blocks(m, d) for m, d in zip(masks, layout))
    assert sum(len(recipe_instances(d, m))
               for m, d in zip(masks, layout)) >= 2 * len(masks)
    for gap in (4, 8, 10, 14):
        assert all(right_images(masks, layout, gap)), gap


@pytest.mark.slow
@pytest.mark.full_data
def test_rule_on_all_real_images():
    """All 5000 images: the layout holds all their foreground; the rule
    finds all 10,260 digits exactly with every max_gap from 8 to 14 (the
    default: 10), and leaves specks of a digit apart in 10 images with 4
    px."""
    _, _, _, masks = read_split(full_data('m2nist'), 'combined.npy',
                                'segmented.npy', (0, 5000), (64, 84),
                                len(CLASSES))
    layout = replay_layout(num_images=len(masks))
    assert not any(outside_blocks(m, d) for m, d in zip(masks, layout))
    assert sum(len(recipe_instances(d, m))
               for m, d in zip(masks, layout)) == 10260
    right = {gap: sum(right_images(masks, layout, gap))
             for gap in (4, 8, 10, 14)}
    assert right == {4: 4990, 8: 5000, 10: 5000, 14: 5000}
