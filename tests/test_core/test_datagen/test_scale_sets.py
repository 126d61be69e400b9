"""Scale test sets: one layout list rendered at every scale."""
import os
import os.path as osp

import numpy as np
import pytest

from m2nist_core.datagen import GeneratorOptions, generate_dataset, mnist_pools
from m2nist_core.datagen.scale_sets import (make_scale_sets, scale_counts,
                                            scale_options)
from ...conftest import MNIST_SUBSET

SCALES = (0.5, 1.0, 2 ** 0.25, 2.0)


@pytest.fixture(scope='module')
def mnist():
    return MNIST_SUBSET


@pytest.fixture(scope='module')
def sets(mnist, tmp_path_factory):
    root = str(tmp_path_factory.mktemp('scales'))
    return root, make_scale_sets(root, mnist, SCALES, [12] * len(SCALES))


def test_options_scale_the_m2nist_layout():
    assert scale_options(1.0) == GeneratorOptions(digit_scale=(1.0, 1.0))
    assert scale_options(0.5).img_shape == (32, 42)
    assert scale_options(2.0).img_shape == (128, 168)
    assert scale_options(8.0).img_shape == (512, 672)
    assert scale_counts((0.5, 1.0, 2.0, 8.0), 200) == [200, 200, 100, 25]


def test_scale_one_is_the_m2nist_recipe(sets, mnist, tmp_path):
    _, dirs = sets
    generate_dataset(str(tmp_path), mnist_pools(mnist, {'test': 12}),
                     seed=0, progress=False)
    for name in ('combined.npy', 'segmented.npy'):
        np.testing.assert_array_equal(np.load(osp.join(dirs[1], name)),
                                      np.load(tmp_path / name))


def test_every_scale_holds_the_same_digits(sets):
    _, dirs = sets
    masks = [np.load(osp.join(d, 'segmented.npy')) for d in dirs]
    images = [np.load(osp.join(d, 'combined.npy')) for d in dirs]
    for scale, mask, img in zip(SCALES, masks, images):
        assert mask.shape == img.shape == (12, ) + scale_options(
            scale).img_shape
        assert ((mask == 10) == (img == 0)).all()
        for i in range(12):
            assert set(np.unique(mask[i])) == set(np.unique(masks[1][i]))
    # ink area grows like scale**2 (about: resizing blurs the edges)
    area = [np.mean(m != 10) * m[0].size for m in masks]
    assert area[3] / area[1] == pytest.approx(4, rel=0.25)
    assert area[0] / area[1] == pytest.approx(0.25, rel=0.35)


def test_sets_are_kept_or_remade(sets, mnist):
    root, dirs = sets
    stamp = os.stat(osp.join(dirs[0], 'combined.npy')).st_mtime_ns
    assert make_scale_sets(root, mnist, SCALES, [12] * 4) == dirs
    assert os.stat(osp.join(dirs[0], 'combined.npy')).st_mtime_ns == stamp
    make_scale_sets(root, mnist, SCALES[:1], [5])
    assert np.load(osp.join(dirs[0], 'combined.npy')).shape[0] == 5
    make_scale_sets(root, mnist, SCALES[:1], [12])  # back for other tests
    assert not [f for d in dirs for f in os.listdir(d) if 'partial' in f]


@pytest.mark.parametrize('counts', [[3], [0, 3], []])
def test_bad_counts(tmp_path, counts):
    with pytest.raises(ValueError, match='one count >= 1 per scale'):
        make_scale_sets(str(tmp_path), 'unused', (0.5, 1.0), counts)
