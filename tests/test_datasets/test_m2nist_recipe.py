"""M2NISTRecipeDataset: recipe images composed on the fly from MNIST train
digits that no M2NIST validation or test image holds."""
import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS

from m2nist_core.datagen.pools import m2nist_free_pool
from m2nist_core.datagen.provenance import (digits_in_images, read_sources,
                                            rows_of_images)
from m2nist_core.datagen.sources import read_mnist
from ..conftest import MNIST_SUBSET, banned_digits_table, full_data


@pytest.fixture
def table(tmp_path):
    path = str(tmp_path / 'sources.csv')
    return path, banned_digits_table(path)


def build(**kwargs):
    init_default_scope('mmseg')
    return DATASETS.build(dict(type='M2NISTRecipeDataset', **kwargs))


def test_samples_draw_no_banned_digit(table):
    path, banned = table
    ds = build(mnist_root=MNIST_SUBSET, num_images=300, seed=3,
               sources=path)
    assert len(ds) == 300
    assert ds.metainfo['classes'][-1] == 'background'
    digits, _ = read_mnist(MNIST_SUBSET, 'train')
    used = set()
    for i in range(len(ds)):
        s = ds[i]
        img, mask = s['img'], s['gt_seg_map']
        assert img.dtype == mask.dtype == np.uint8
        assert img.shape == mask.shape == (64, 84)
        np.testing.assert_array_equal(mask != 10, img > 0)  # the recipe
        used |= set(s['mnist_rows'].tolist())
    assert used and not used & banned
    assert max(used) < len(digits)


def test_image_depends_on_seed_and_index_only(table):
    path, _ = table
    a = build(mnist_root=MNIST_SUBSET, num_images=20, seed=1, sources=path)
    b = build(mnist_root=MNIST_SUBSET, num_images=5, seed=1, sources=path)
    c = build(mnist_root=MNIST_SUBSET, num_images=5, seed=2, sources=path)
    for i in range(5):
        np.testing.assert_array_equal(a[i]['img'], b[i]['img'])
    assert any((a[i]['img'] != c[i]['img']).any() for i in range(5))


def test_worker_processes_draw_the_same_images(table):
    path, _ = table
    ds = build(mnist_root=MNIST_SUBSET, num_images=8, seed=0, sources=path,
               pipeline=[dict(type='LoadDigitImage'),
                         dict(type='PackSegInputs')])
    loader = torch.utils.data.DataLoader(ds, batch_size=4, num_workers=2,
                                         collate_fn=lambda b: b)
    got = [s['inputs'] for batch in loader for s in batch]
    for i, x in enumerate(got):
        np.testing.assert_array_equal(x[0].numpy(), ds[i]['inputs'][0])


def test_bad_arguments(tmp_path, table):
    path, _ = table
    with pytest.raises(ValueError, match='num_images must be a positive'):
        build(mnist_root=MNIST_SUBSET, num_images=0, sources=path)
    with pytest.raises(FileNotFoundError, match=str(tmp_path / 'none')):
        build(mnist_root=str(tmp_path / 'none'), sources=path)


@pytest.mark.full_data
def test_real_pool_holds_no_val_test_digit_and_no_t10k():
    """On the real MNIST with the shipped table: the sampled images' digits
    are MNIST train rows below 50000, none of them (by index or by
    pixels) a digit of an M2NIST validation or test image."""
    root = full_data('mnist')
    mnist = {'train': read_mnist(root, 'train'),
             't10k': read_mnist(root, 'test')}
    table = read_sources()
    valtest_rows = rows_of_images((4000, 5000))
    banned_train = {s.mnist_index for s in table if s.row in valtest_rows
                    and s.mnist_split == 'train'}
    banned = {d.tobytes() for d in digits_in_images(table, mnist,
                                                    (4000, 5000))}
    ds = build(mnist_root=root, num_images=2000)
    pool = m2nist_free_pool(root, 'train', 'val_test')
    assert len(pool.rows) == 50000 - len(
        [r for r in banned_train if r < 50000])
    for i in range(len(ds)):
        rows = ds[i]['mnist_rows']
        assert rows.max() < 50000
        assert not set(rows.tolist()) & banned_train
        assert not any(mnist['train'][0][r].tobytes() in banned
                       for r in rows)
