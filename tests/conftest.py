"""Shared fixtures: tiny M2NIST-like data made in the tests."""
import os
import os.path as osp

import numpy as np
import pytest
import torch

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


def model_cfg(name: str) -> str:
    return osp.join(REPO, 'configs', f'm2nist_{name}.py')


def varied_checkpoint(name: str, path: str) -> str:
    """An untrained model whose predictions vary from pixel to pixel.

    PyTorch's default init gives FastSCNN one class everywhere, which
    would make any agreement check pass; He-normal convs and random BN
    statistics make several classes appear.
    """
    from mmseg.apis import init_model
    torch.manual_seed(0)
    return save_varied(init_model(model_cfg(name), None, 'cpu'), path)


def save_varied(model: torch.nn.Module, path: str) -> str:
    """Save ``model`` with He-normal convs and random BN statistics."""
    with torch.no_grad():
        for mod in model.modules():
            if isinstance(mod, torch.nn.Conv2d):
                torch.nn.init.kaiming_normal_(mod.weight)
            elif isinstance(mod, torch.nn.modules.batchnorm._BatchNorm):
                mod.running_mean.normal_(0, 0.2)
                mod.running_var.uniform_(0.5, 2)
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.normal_(0, 0.2)
    torch.save(dict(state_dict=model.state_dict(), meta={}), path)
    return path
