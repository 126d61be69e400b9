"""Data shared by the tool tests."""
import numpy as np
import pytest


@pytest.fixture(scope='module')
def tiny_root_module(tmp_path_factory):
    from ..conftest import load_kaggle_sample
    root = tmp_path_factory.mktemp('data')
    imgs, onehot = load_kaggle_sample()
    np.save(root / 'combined.npy', imgs)  # Kaggle layout, float32 + int32
    np.save(root / 'segmented.npy', onehot)
    return str(root)
