"""Fixtures: tiny M2NIST-like data made in the tests or kept in tests/data."""
import importlib.util
import os
import os.path as osp
from types import ModuleType

import numpy as np
import pytest
import torch

from m2nist_core.datagen.pools import AVOID
from m2nist_core.datagen.provenance import (Source, rows_of_images,
                                            write_sources)
from m2nist_mm import register_all_modules

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
# Tools run as scripts in subprocesses import this checkout first, not a
# copy installed from another state of it.
os.environ['PYTHONPATH'] = os.pathsep.join(
    [REPO] + [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep)
              if p])
# as mmyolo's tests do: both sides registered (the segmentation side alone
# is tested in test_layers.py)
register_all_modules()
TEST_DATA = osp.join(REPO, 'tests', 'data')
MNIST_SUBSET = osp.join(TEST_DATA, 'mnist_subset')
#: A folder with the whole data: m2nist/ (5000 images), mnist/ (all four
#: IDX files) and kaggle-digit-recognizer/train_first1536.csv.
FULL_DATA = os.environ.get('M2NIST_MM_DATA', '')


def load_tool(name: str) -> ModuleType:
    """Import ``tools/<name>.py`` as a module."""
    spec = importlib.util.spec_from_file_location(
        name, osp.join(REPO, 'tools', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def full_data(*parts: str) -> str:
    """Return a path of the whole data set; skip when it is not given.

    Only tests marked ``full_data`` call this.
    """
    path = osp.join(FULL_DATA, *parts)
    if not FULL_DATA or not osp.exists(path):
        pytest.skip(f'needs the full data set ({osp.join(*parts)} under '
                    '$M2NIST_MM_DATA)')
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


def load_kaggle_sample() -> tuple:
    """Kaggle's first 10 M2NIST images: float32 images, int32 one-hot."""
    with np.load(osp.join(TEST_DATA, 'm2nist_kaggle_sample.npz')) as z:
        return z['combined'], z['segmented']


@pytest.fixture
def kaggle_sample() -> tuple:
    """:func:`load_kaggle_sample` as a fixture."""
    return load_kaggle_sample()


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
    return save_varied(init_model(model_cfg(name), None, 'cpu'), path,
                       seed=1)


def varied_detector(path: str) -> str:
    """An untrained RTMDet-tiny (the detection config) with varied weights:
    class-agnostic NMS keeps 56 boxes an image, none reaching the right or
    bottom edge (where the SDK ends boxes a pixel short,
    docs/deployment.md); PyTorch's default init would score every location
    alike, leaving NMS ties."""
    from mmdet.apis import init_detector
    torch.manual_seed(0)
    return save_varied(
        init_detector(model_cfg('det_rtmdet_tiny'), None, device='cpu'),
        path, seed=9)


def save_varied(model: torch.nn.Module, path: str, seed: int) -> str:
    """Save ``model`` with He-normal convs and linear layers (a digit
    classifier then names digits differently) and random BN statistics,
    drawn from ``seed`` after the model is built (the digit classifier,
    built and varied last, then leaves the other parts' weights alone)."""
    torch.manual_seed(seed)
    with torch.no_grad():
        for mod in model.modules():
            if isinstance(mod, (torch.nn.Conv2d, torch.nn.Linear)):
                torch.nn.init.kaiming_normal_(mod.weight)
            elif isinstance(mod, torch.nn.modules.batchnorm._BatchNorm):
                mod.running_mean.normal_(0, 0.2)
                mod.running_var.uniform_(0.5, 2)
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.normal_(0, 0.2)
    torch.save(dict(state_dict=model.state_dict(), meta={}), path)
    return path


def banned_digits_table(path: str) -> set:
    """Write a sources table for the 256-digit MNIST subset (tests/data):
    the rows of the real M2NIST's images map to t10k digits, except rows
    0-49, which map to train digits 0-49. Returns the train digits that
    M2NIST's validation and test images then hold (those to keep out)."""
    valtest = rows_of_images(AVOID['val_test'])
    table = [Source(r, 0, 'train' if r < 50 else 't10k',
                    r if r < 50 else r % 256)
             for r in sorted(rows_of_images((0, 5000)))]
    write_sources(path, table)
    return {s.mnist_index for s in table
            if s.mnist_split == 'train' and s.row in valtest}
