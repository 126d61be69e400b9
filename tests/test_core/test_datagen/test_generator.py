"""The generator's options: placement, overlap, labels, targets, errors."""
import numpy as np
import pytest

from m2nist_core.datagen import (GenerationError, GeneratorOptions, Placement,
                                 class_map, compose, draw_image)
from m2nist_core.datagen.generator import channels, overlap


@pytest.fixture(scope='module')
def pool():
    """100 digits: a filled 20x20 square of value 10*(k+1) in the 28x28."""
    rng = np.random.RandomState(0)
    labels = np.arange(100) % 10
    digits = np.zeros((100, 28, 28), np.uint8)
    for k in range(100):
        digits[k, 4:24, 4:24] = rng.randint(1, 256)
    return digits, labels.astype(np.uint8)


def layouts(opts, n=200, seed=0, pool_size=100):
    rng = np.random.RandomState(seed)
    return [draw_image(rng, pool_size, opts) for _ in range(n)]


def test_m2nist_placement_rules():
    for draws in layouts(GeneratorOptions(min_digits=2, max_digits=5)):
        assert 2 <= len(draws) <= 5
        for i, d in enumerate(draws):
            assert 28 * i <= d.x < 28 * i + 10 and 0 <= d.y <= 36
            assert d.pasted == (d.x + 28 <= 84)


def test_random_placement_stays_inside_and_counts():
    opts = GeneratorOptions(img_shape=(60, 70), min_digits=1, max_digits=4,
                            placement='random')
    sizes = set()
    for draws in layouts(opts):
        sizes.add(len(draws))
        assert all(d.pasted and 0 <= d.x <= 42 and 0 <= d.y <= 32
                   for d in draws)
    assert sizes == {1, 2, 3, 4}


@pytest.mark.parametrize('rule', ['iou', 'mnist_extended'])
def test_max_overlap_is_respected(rule):
    opts = GeneratorOptions(img_shape=(60, 60), min_digits=3, max_digits=3,
                            placement='random', max_overlap=0.1,
                            overlap_rule=rule)
    worst = 0.0
    for draws in layouts(opts):
        for i, a in enumerate(draws):
            for b in draws[:i]:
                worst = max(worst, overlap((a.x, a.y), (b.x, b.y), rule))
    assert 0 < worst <= 0.1


def test_overlap_rules():
    # half overlapping boxes: intersection 392 of 784 each
    assert overlap((0, 0), (14, 0), 'iou') == pytest.approx(392 / 1176)
    assert overlap((0, 0), (14, 0), 'mnist_extended') == pytest.approx(0.25)
    assert overlap((0, 0), (28, 0), 'iou') == 0
    assert overlap((3, 4), (3, 4), 'iou') == 1


def test_options_that_cannot_be_met_say_so():
    with pytest.raises(ValueError, match='cannot lie without overlap'):
        GeneratorOptions(img_shape=(56, 56), min_digits=5, max_digits=5,
                         placement='random', max_overlap=0)
    # 4 digits fit a 56x56 image only on an exact 2x2 grid: random
    # positions practically never find it
    opts = GeneratorOptions(img_shape=(56, 56), min_digits=4, max_digits=4,
                            placement='random', max_overlap=0,
                            max_attempts=20)
    with pytest.raises(GenerationError, match='cannot place 4 digits'):
        layouts(opts, n=5)


@pytest.mark.parametrize('kwargs,match', [
    (dict(img_shape=(20, 84)), 'img_shape'),
    (dict(min_digits=3, max_digits=2), 'min_digits'),
    (dict(min_digits=0), 'min_digits'),
    (dict(num_classes=11), 'num_classes'),
    (dict(placement='grid'), 'placement'),
    (dict(placement='random', overlap_rule='dice'), 'overlap_rule'),
    (dict(placement='random', max_overlap=1.5), 'max_overlap'),
    (dict(max_overlap=0.2), "needs placement='random'"),
    (dict(soft=True, whole_box=True), 'choose one'),
    (dict(max_attempts=0), 'max_attempts'),
])
def test_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        GeneratorOptions(**kwargs)


def two_digits(pool, opts, labels=(3, 5), corners=((10, 10), (24, 20))):
    """Compose two overlapping squares of classes ``labels``."""
    digits, all_labels = pool
    draws = [Placement(int(np.flatnonzero(all_labels == c)[0]), x, y, True)
             for c, (x, y) in zip(labels, corners)]
    return draws, compose(draws, digits, all_labels, opts)


def test_exclusive_labels_lowest_class_wins(pool):
    opts = GeneratorOptions(placement='random')
    draws, (img, targets, found) = two_digits(pool, opts, labels=(5, 3))
    both = (slice(24, 34), slice(28, 34))  # where the two squares overlap
    assert (targets[3][both] == 1).all() and (targets[5][both] == 0).all()
    cmap = class_map(targets, (64, 84))
    assert set(np.unique(cmap)) == {3, 5, 10}
    assert (cmap[img == 0] == 10).all() and (cmap[img > 0] != 10).all()
    # boxes are tight around what each target keeps
    assert found[0].box == (14, 14, 34, 34)
    assert found[1].box == (28, 24, 48, 44)
    assert targets[5][14:34, 14:34].sum() == 400 - 60


def test_overlapping_labels_keep_both(pool):
    opts = GeneratorOptions(placement='random', exclusive=False)
    _, (img, targets, found) = two_digits(pool, opts, labels=(5, 3))
    assert targets[3][30, 30] == 1 and targets[5][30, 30] == 1
    assert found[0].box == (14, 14, 34, 34)
    multi = channels(targets, (64, 84), np.uint8)
    assert multi.shape == (64, 84, 11) and multi[30, 30].sum() == 2
    assert (multi[..., 10] == (img == 0)).all()


def test_soft_targets_are_intensities(pool):
    opts = GeneratorOptions(placement='random', soft=True, exclusive=False)
    _, (img, targets, _) = two_digits(pool, opts)
    assert targets[3].dtype == np.float32
    np.testing.assert_allclose(targets[3][14, 14], img[14, 14] / 255)
    multi = channels(targets, (64, 84), np.float32)
    np.testing.assert_allclose(multi[..., 10], 1 - multi[..., :10].max(2))


def test_whole_box_targets(pool):
    opts = GeneratorOptions(placement='random', whole_box=True,
                            exclusive=False)
    _, (img, targets, found) = two_digits(pool, opts)
    assert targets[3][10:38, 10:38].all() and targets[3].sum() == 28 * 28
    assert found[0].box == (10, 10, 38, 38)


def test_later_digit_of_the_same_class_overwrites_its_block(pool):
    opts = GeneratorOptions(placement='random')
    _, (img, targets, found) = two_digits(pool, opts, labels=(3, 3),
                                          corners=((10, 10), (20, 10)))
    # the second block's zeros erased the first square's right part
    assert found[0].box == (14, 14, 20, 34)
    assert found[1].box == (24, 14, 44, 34)
    assert img[20, 22] == 0 and img[20, 24] > 0


def test_num_classes_limits_the_drawn_digits():
    from m2nist_core.datagen.writer import Pool, _usable
    labels = np.arange(50) % 10
    pool = _usable(Pool('train', 'x', np.zeros((50, 28, 28), np.uint8),
                        labels, 1), num_classes=3)
    assert set(pool.labels.tolist()) == {0, 1, 2}
    assert (labels[pool.rows] == pool.labels).all()
    with pytest.raises(ValueError, match='no digit below 1'):
        _usable(Pool('train', 'x', np.zeros((2, 28, 28), np.uint8),
                     np.array([5, 6]), 1), num_classes=1)


def test_digit_scale_rescales_blocks_and_positions(pool):
    digits, labels = pool
    opts = GeneratorOptions(img_shape=(128, 168), digit_scale=(2, 2))
    for draws in layouts(opts, n=50):
        for i, d in enumerate(draws):
            assert d.size == 56 and 56 * i <= d.x < 56 * i + 20
            assert d.pasted == (d.x + 56 <= 168) and d.y <= 128 - 56
    draws = [Placement(0, 10, 10, True, 56)]
    img, targets, found = compose(draws, digits, labels, opts)
    # the 20x20 square (4..23) becomes about 40x40 (8..47); bicubic
    # ringing adds a faint rim that the ink (> 0) box includes
    ys, xs = np.nonzero(img > 127)
    assert (xs.min(), xs.max()) == pytest.approx((18, 57), abs=1)
    assert found[0].box[2] - found[0].box[0] == pytest.approx(40, abs=8)
    assert img[10 + 28, 10 + 28] > 0 and img[10, 10] == 0


def test_digit_scale_ranges_and_errors():
    opts = GeneratorOptions(img_shape=(112, 112), placement='random',
                            digit_scale=(0.5, 4))
    sizes = {d.size for draws in layouts(opts, n=100) for d in draws}
    assert min(sizes) < 20 and max(sizes) > 80
    with pytest.raises(ValueError, match='>= 112'):
        GeneratorOptions(img_shape=(100, 200), digit_scale=(1, 4))
    for bad in [(0, 1), (2, 1), ('1', 2)]:
        with pytest.raises(ValueError, match='digit_scale must be'):
            GeneratorOptions(digit_scale=bad)
    # the recipe's random calls are unchanged at scale (1, 1)
    plain = layouts(GeneratorOptions(), n=20)
    assert layouts(GeneratorOptions(digit_scale=(1, 1)), n=20) == plain
