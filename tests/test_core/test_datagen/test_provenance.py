"""Finding the MNIST digit behind each M2NIST digit, and the pools that keep
the real M2NIST's validation/test digits (or all its digits) out."""

import numpy as np
import pytest

from m2nist_core import DataFileError
from m2nist_core.datagen import read_digit_csv, read_mnist
from m2nist_core.datagen.m2nist_recipe import replay_layout
from m2nist_core.datagen.pools import m2nist_free_pool
from m2nist_core.datagen.provenance import (SOURCES_FILE, DigitMatcher, Source,
                                            alone_masks, digits_in_images,
                                            find_sources, read_sources,
                                            rows_of_images, write_sources)
from m2nist_core.splits import SPLITS
from ...conftest import MNIST_SUBSET, banned_digits_table, full_data, load_tool
from .test_m2nist_recipe import render

SEED, ROWS = 5, 64


@pytest.fixture(scope='module')
def subset():
    return {'train': read_mnist(MNIST_SUBSET, 'train'),
            't10k': read_mnist(MNIST_SUBSET, 'test')}


@pytest.fixture(scope='module')
def recipe(subset):
    """30 recipe images over a 64-row source: rows 0-39 are MNIST train
    digits 100-139, rows 40-63 t10k digits 7-30."""
    truth = [Source(r, 0, 'train', 100 + r) for r in range(40)] + [
        Source(r, 0, 't10k', r - 33) for r in range(40, ROWS)]
    digits = np.stack([subset[s.mnist_split][0][s.mnist_index]
                       for s in truth])
    labels = np.array([subset[s.mnist_split][1][s.mnist_index]
                       for s in truth])
    truth = [s._replace(label=int(lab)) for s, lab in zip(truth, labels)]
    pairs = [render(d, digits, labels) for d in replay_layout(30, SEED, ROWS)]
    return (np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs]),
            truth)


def test_every_drawn_row_is_found_exactly(subset, recipe):
    images, masks, truth = recipe
    found = find_sources(images, masks, subset, seed=SEED, num_rows=ROWS)
    drawn = rows_of_images((0, 30), SEED, ROWS)
    assert {s.row for s in found} == drawn
    assert found == [s for s in truth if s.row in drawn]


def test_alone_masks_leave_out_every_other_block():
    draws = replay_layout(1, SEED, ROWS)[0]
    for d, alone in alone_masks(draws, (64, 84)):
        for other in draws:
            if other is d or not other.pasted:
                continue
            ys = np.arange(28)[:, None] + d.y
            xs = np.arange(28)[None] + d.x
            inside = ((ys >= other.y) & (ys < other.y + 28) &
                      (xs >= other.x) & (xs < other.x + 28))
            assert not (alone & inside).any()


def test_images_not_of_the_recipe_are_refused(subset, recipe):
    images, masks, _ = recipe
    images = images.copy()
    d, alone = alone_masks(replay_layout(1, SEED, ROWS)[0], (64, 84))[0]
    ys, xs = np.nonzero(alone & (images[0, d.y:d.y + 28, d.x:d.x + 28] > 0))
    images[0, d.y + ys[0], d.x + xs[0]] ^= 1  # one ink pixel off by one
    with pytest.raises(DataFileError, match=r'imgs\.npy: image 0, digit at '
                       r'.*no MNIST digit matches source row'):
        find_sources(images, masks, subset, 'imgs.npy', SEED, ROWS)


def test_matcher_compares_only_the_visible_pixels(subset):
    digits, labels = subset['train']
    matcher = DigitMatcher(digits, labels)
    patch = digits[3].copy()
    alone = np.ones((28, 28), bool)
    alone[:, :5] = False
    patch[:, :5] = 255 - patch[:, :5]  # hidden pixels may differ
    assert matcher.candidates(int(labels[3]), patch, alone).tolist() == [3]
    assert not len(matcher.candidates((int(labels[3]) + 1) % 10, patch,
                                      alone))


def test_sources_table_round_trip_and_errors(tmp_path):
    rows = [Source(3, 4, 'train', 25334), Source(6, 7, 't10k', 2132)]
    path = str(tmp_path / 'sources.csv')
    write_sources(path, rows)
    assert read_sources(path) == rows
    for text, match in [('a,b\n', 'the header is not'),
                        ('row,label,mnist_split,mnist_index\n3,4,train\n',
                         'line 2'),
                        ('row,label,mnist_split,mnist_index\n3,4,t1k,5\n',
                         'line 2: .*split must be one of')]:
        with open(path, 'w') as f:
            f.write(text)
        with pytest.raises(DataFileError, match=match) as e:
            read_sources(path)
        assert path in str(e.value)
    with pytest.raises(FileNotFoundError, match='find_mnist_sources'):
        read_sources(str(tmp_path / 'missing.csv'))


def test_shipped_table_covers_every_digit_of_m2nist():
    """One MNIST digit per source row, for every row the 5000 images draw."""
    table = read_sources()
    rows = [s.row for s in table]
    assert len(rows) == len(set(rows)) == 9143
    assert set(rows) == rows_of_images((0, 5000))
    assert sum(s.mnist_split == 't10k' for s in table) == 1293


def test_free_pool_keeps_out_the_banned_digits(tmp_path, subset):
    path = str(tmp_path / 'sources.csv')
    banned = banned_digits_table(path)
    assert banned
    pool = m2nist_free_pool(MNIST_SUBSET, 'train', 'val_test', 7, path)
    assert pool.count == 7 and pool.source == 'mnist-train'
    assert not set(pool.rows.tolist()) & banned
    assert set(pool.rows.tolist()) == set(range(256)) - banned
    np.testing.assert_array_equal(pool.digits, subset['train'][0][pool.rows])
    with pytest.raises(ValueError, match='unknown avoid'):
        m2nist_free_pool(MNIST_SUBSET, 'train', 'test', sources=path)
    with pytest.raises(ValueError, match='unknown split'):
        m2nist_free_pool(MNIST_SUBSET, 't10k', 'all', sources=path)


def test_table_that_misses_rows_is_refused(tmp_path, subset):
    path = str(tmp_path / 'sources.csv')
    write_sources(path, read_sources()[:100])
    with pytest.raises(DataFileError, match='lacks .* row'):
        digits_in_images(read_sources(path), subset, (4000, 5000))


@pytest.fixture(scope='module')
def mnist():
    root = full_data('mnist')
    return {'train': read_mnist(root, 'train'),
            't10k': read_mnist(root, 'test')}


@pytest.mark.full_data
def test_shipped_table_is_what_the_real_m2nist_gives(capsys):
    """The tool rebuilds the shipped table from the images and MNIST."""
    tool = load_tool('find_mnist_sources')
    assert tool.main([full_data('m2nist'), '--mnist', full_data('mnist'),
                      '--check']) == 0
    assert f'{SOURCES_FILE}: the same (9143 rows)' in capsys.readouterr().out


@pytest.mark.full_data
def test_shipped_table_agrees_with_the_source_csv(mnist):
    """Rows 0-1535 of Digit Recognizer's train.csv, pixel for pixel."""
    digits, labels = read_digit_csv(
        full_data('kaggle-digit-recognizer', 'train_first1536.csv'))
    checked = 0
    for s in read_sources():
        if s.row < len(digits):
            np.testing.assert_array_equal(
                mnist[s.mnist_split][0][s.mnist_index], digits[s.row])
            assert s.label == labels[s.row]
            checked += 1
    assert checked == 338


def visible_digits(index_range):
    """Every pasted digit of the real M2NIST images ``[start, stop)``:
    ``(image, label, patch, alone)``, from the images themselves."""
    images = np.load(full_data('m2nist', 'combined.npy'), mmap_mode='r')
    masks = np.load(full_data('m2nist', 'segmented.npy'), mmap_mode='r')
    start, stop = index_range
    for i, draws in enumerate(replay_layout(stop)[start:], start):
        for d, alone in alone_masks(draws, (64, 84)):
            block = (slice(d.y, d.y + 28), slice(d.x, d.x + 28))
            patch = np.asarray(images[i][block])
            label = int(np.unique(masks[i][block][alone & (patch > 0)])[0])
            yield i, label, patch, alone


@pytest.mark.full_data
@pytest.mark.parametrize('split,avoid,images', [
    ('train', 'val_test', (SPLITS['val'][0], SPLITS['test'][1])),
    ('test', 'all', (0, 5000)),
])
def test_no_pool_digit_is_a_digit_of_the_avoided_images(split, avoid,
                                                        images):
    """The proof, from the images: no digit of the pool matches the
    visible pixels of any digit of the avoided M2NIST images. The extra
    training pool reads MNIST train rows 0-49999 only, the held-out pool
    t10k only."""
    pool = m2nist_free_pool(full_data('mnist'), split, avoid)
    assert pool.source == ('mnist-train' if split == 'train' else
                           'mnist-t10k')
    assert pool.rows.max() < (50000 if split == 'train' else 10000)
    assert len(pool.rows) == (48558 if split == 'train' else 8707)
    matcher = DigitMatcher(pool.digits, pool.labels)
    count = 0
    for i, label, patch, alone in visible_digits(images):
        hits = matcher.candidates(label, patch, alone)
        assert not len(hits), (f'image {i}: pool digit(s) '
                               f'{pool.rows[hits].tolist()}')
        count += 1
    assert count > (2000 if avoid == 'val_test' else 10000)
