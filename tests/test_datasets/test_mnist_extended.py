"""MNIST extended's own arrays (create_semantic_segmentation_dataset)."""
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from m2nist_core import DataFileError
from m2nist_mm.datasets.m2nist import M2NISTDataset
from m2nist_mm.datasets.m2nist_det import M2NISTDetDataset
from ..conftest import MNIST_SUBSET, REPO


def mnist_extended(n=6, shape=(60, 60), classes=5, seed=0):
    """Arrays in MNIST extended's layout: images (N, H, W, 1) in [0, 1],
    targets (N, H, W, C) ink intensities, overlapping labels allowed."""
    from m2nist_core.datagen import read_mnist
    digits, labels = read_mnist(MNIST_SUBSET, 'train')
    keep = np.nonzero(labels < classes)[0]
    rng = np.random.RandomState(seed)
    x = np.zeros((n, ) + shape + (1, ), np.float64)
    y = np.zeros((n, ) + shape + (classes, ), np.float64)
    for i in range(n):
        for _ in range(3):
            row = rng.choice(keep)
            top, left = rng.randint(0, shape[0] - 28), rng.randint(
                0, shape[1] - 28)
            ink = digits[row] / 255.0
            box = (i, slice(top, top + 28), slice(left, left + 28))
            x[box + (0, )] = np.maximum(x[box + (0, )], ink)
            y[box + (labels[row], )] = np.maximum(y[box + (labels[row], )],
                                                  ink)
    return x.astype(np.float32), y.astype(np.float32)


def write(root, x, y, prefix='train'):
    np.save(osp.join(root, f'{prefix}_x.npy'), x)
    np.save(osp.join(root, f'{prefix}_y.npy'), y)
    return str(root)


def seg(root, prefix='train', **kwargs):
    return M2NISTDataset(data_root=root, img_file=f'{prefix}_x.npy',
                         seg_file=f'{prefix}_y.npy', layout='mnist_extended',
                         img_shape=None, split='all', pipeline=[], **kwargs)


def test_arrays_read_with_the_documented_rule(tmp_path):
    x, y = mnist_extended()
    ds = seg(write(tmp_path, x, y))
    assert len(ds) == 6 and ds.index_range == (0, 6)
    for i in range(6):
        info = ds.get_data_info(i)
        np.testing.assert_array_equal(info['img'],
                                      np.round(x[i, ..., 0] * 255))
        expected = np.where(y[i].max(-1) > 0, y[i].argmax(-1), 10)
        np.testing.assert_array_equal(info['gt_seg_map'], expected)
        assert info['img'].shape == (60, 60)
    several = (y > 0).sum(-1) > 1
    assert several.any()  # overlapping labels were resolved
    # 0/1 targets (MNIST extended's binary option) and a sub-range
    ds = seg(write(tmp_path, x[..., 0], (y > 0).astype(np.uint8), 'bin'),
             'bin', index_range=(2, 5))
    assert len(ds) == 3 and ds.get_data_info(0)['img_idx'] == 2


def test_detection_data_set_reads_the_layout(tmp_path):
    x, y = mnist_extended(n=4, shape=(64, 70))
    det = M2NISTDetDataset(data_root=write(tmp_path, x, y),
                           img_file='train_x.npy', seg_file='train_y.npy',
                           layout='mnist_extended', img_shape=None,
                           split='all', pipeline=[])
    info = det.get_data_info(0)
    assert info['img'].shape == (64, 70) and info['instances']
    assert all(0 <= i['bbox_label'] < 5 for i in info['instances'])


@pytest.mark.parametrize('change,name,match', [
    (lambda x, y: (x * 255, y), 'x', r'float pixel values outside \[0, 1\]'),
    (lambda x, y: (x, -y), 'y', r'target values outside \[0, 1\]'),
    (lambda x, y: (x, y * 2), 'y', r'target values outside \[0, 1\]'),
    (lambda x, y: (x, np.concatenate([y] * 3, -1)), 'y',
     r'1 <= C <= 10 and no background channel, got shape \(6, 60, 60, 15\)'),
    (lambda x, y: (x, y[:, :50]), 'y', 'targets are 50x60, expected 60x60'),
    (lambda x, y: (x, np.where(y > 0.5, np.nan, y)), 'y', 'NaN or inf'),
    (lambda x, y: (x, y[..., 0]), 'y', 'MNIST-extended targets must be'),
])
def test_bad_arrays_name_the_file(tmp_path, change, name, match):
    x, y = change(*mnist_extended())
    write(tmp_path, x, y)
    with pytest.raises(DataFileError, match=match) as e:
        seg(str(tmp_path))
    assert f'train_{name}.npy' in str(e.value)


def test_unknown_layout_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown layout 'keras'"):
        M2NISTDataset(data_root=str(tmp_path), layout='keras')


def test_config_trains_on_the_arrays(tmp_path):
    """The config's data sets read MNIST extended's files."""
    from mmseg.registry import DATASETS
    x, y = mnist_extended()
    write(tmp_path, x, y)
    write(tmp_path, *mnist_extended(n=3, seed=1), prefix='test')
    cfg = Config.fromfile(osp.join(REPO, 'configs',
                                   'mnist_extended_fastscnn.py'))
    init_default_scope('mmseg')
    train = DATASETS.build(dict(cfg.train_dataloader.dataset,
                                data_root=str(tmp_path)))
    val = DATASETS.build(dict(cfg.val_dataloader.dataset,
                              data_root=str(tmp_path)))
    assert (len(train), len(val)) == (6, 3)
    sample = train[0]
    assert sample['inputs'].shape == (1, 60, 60)
    assert set(np.unique(sample['data_samples'].gt_sem_seg.data)) <= \
        set(range(11))
