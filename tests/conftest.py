"""Shared fixtures: tiny M2NIST-like data made in the tests."""
import os
import os.path as osp

import numpy as np
import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHARED_DATA = os.environ.get('M2NIST_SHARED_DATA',
                             osp.join(REPO, '..', 'shared', 'data'))
KAGGLE_SAMPLE = osp.join(SHARED_DATA, 'm2nist-kaggle-sample')
M2NIST_FULL = osp.join(SHARED_DATA, 'm2nist')


def need(path: str) -> str:
    """Skip when reference data beside the checkout is missing."""
    if not osp.exists(path):
        pytest.skip(f'reference data not found: {path}')
    return path


def make_m2nist(n: int, seed: int = 0) -> tuple:
    """``n`` synthetic 64x84 images with 1-2 blob 'digits' and index maps."""
    rng = np.random.RandomState(seed)
    imgs = np.zeros((n, 64, 84), np.uint8)
    masks = np.full((n, 64, 84), 10, np.uint8)
    for i in range(n):
        for k in range(rng.randint(1, 3)):
            y, x = rng.randint(0, 36), 28 * k + rng.randint(0, 10)
            cls = rng.randint(0, 10)
            ink = rng.rand(28, 28) > 0.7
            imgs[i, y:y + 28, x:x + 28][ink] = rng.randint(1, 256, ink.sum())
            masks[i, y:y + 28, x:x + 28][ink] = cls
    return imgs, masks


def to_onehot(masks: np.ndarray, dtype=np.int64) -> np.ndarray:
    return (masks[..., None] == np.arange(11)).astype(dtype)


@pytest.fixture
def kaggle_sample() -> tuple:
    """Kaggle's first 10 M2NIST images: float32 images, int32 one-hot."""
    root = need(KAGGLE_SAMPLE)
    return (np.load(osp.join(root, 'combined_sample.npy')),
            np.load(osp.join(root, 'segmented_sample.npy')))


@pytest.fixture
def tiny_root(tmp_path, kaggle_sample) -> str:
    """A data root with the 10 real images in the compact layout."""
    imgs, onehot = kaggle_sample
    np.save(tmp_path / 'combined.npy', imgs.astype(np.uint8))
    np.save(tmp_path / 'segmented.npy', onehot.argmax(-1).astype(np.uint8))
    return str(tmp_path)
