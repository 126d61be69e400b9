"""MNIST Large Scale: the recipe, the HDF5 reader and writer, the data sets."""
import os
import os.path as osp

import h5py
import numpy as np
import pytest

from m2nist_core import DataFileError
from m2nist_core.datagen.large_scale import (large_scale_images, official_name,
                                             read_large_scale, rescale,
                                             soft_threshold, to_intensity,
                                             write_h5)
from m2nist_core.datagen.scales import SCALES
from m2nist_mm.datasets.mnist_large_scale import MNISTLargeScaleDataset
from m2nist_mm.datasets.mnist_large_scale_det import MNISTLargeScaleDetDataset
from .test_sources import write_mnist


def a_digit():
    digit = np.zeros((28, 28), np.uint8)
    digit[6:22, 12:16] = 255  # a '1': 16 x 4 px bar
    return digit


def test_soft_threshold_and_its_inverse():
    i = np.arange(256, dtype=np.float32)
    v = soft_threshold(i)
    assert v.min() == pytest.approx(-0.7629, abs=1e-3)
    assert v.max() == pytest.approx(0.7612, abs=1e-3)
    assert ((v > 0) == (i > 128)).all()
    np.testing.assert_array_equal(to_intensity(v), i.astype(np.uint8))


def test_the_17_scales():
    assert len(SCALES) == 17
    assert SCALES[0] == 0.5 and SCALES[4] == 1 and SCALES[-1] == 8


@pytest.mark.parametrize('scale', [0.5, 1, 2, 4])
def test_rescale_grows_the_digit_about_the_centre(scale):
    fg = rescale(a_digit(), scale) > 128
    ys, xs = np.nonzero(fg)
    height = ys.max() - ys.min() + 1
    assert height == pytest.approx(16 * scale, abs=2 + scale)
    assert ys.mean() == pytest.approx(55.5, abs=1)
    assert xs.mean() == pytest.approx(55.5, abs=1)


def test_large_digits_are_cropped_to_the_frame():
    fg = rescale(a_digit(), 8) > 128
    assert fg[0].any() and fg[-1].any()  # 128 px tall: cut at the borders


def test_official_names():
    assert official_name(dict(train=50000, val=10000, test=10000), (1, 4),
                         (1, 4)) == (
        'mnist_large_scale_tr50000_vl10000_te10000_outsize112-112_'
        'sctr1p000-4p000_scte1p000-4p000.h5')
    assert official_name(dict(test=10000), (0.5, 0.5), (0.5, 0.5)) == (
        'mnist_large_scale_te10000_outsize112-112_sctr0p500_scte0p500.h5')


@pytest.fixture
def h5_file(tmp_path):
    digits = np.stack([a_digit()] * 3)
    x = large_scale_images(digits, [1, 2, 0.5])
    path = str(tmp_path / 'ls.h5')
    write_h5(path, dict(test=(x, np.array([1, 7, 3]))))
    return path, x


def test_round_trip(h5_file):
    path, x = h5_file
    imgs, masks, labels = read_large_scale(path, 'test')
    assert labels.tolist() == [1, 7, 3] and imgs.shape == (3, 112, 112)
    np.testing.assert_array_equal(imgs, to_intensity(x[..., 0]))
    np.testing.assert_array_equal(masks[1], np.where(x[1, ..., 0] > 0, 7, 10))
    # test-only file: the dummy train sample, as the official files have
    dummy, _, _ = read_large_scale(path, 'train')
    assert dummy.shape == (1, 112, 112) and dummy.max() == 0
    _, masks, labels = read_large_scale(path, 'test', (1, 3))
    assert labels.tolist() == [7, 3]


def test_a_single_sample_without_its_axis(tmp_path):
    path = str(tmp_path / 'one.h5')
    with h5py.File(path, 'w') as f:
        f['x_test'] = large_scale_images(a_digit()[None], [1])[0]
        f['y_test'] = np.array([4])
    imgs, masks, labels = read_large_scale(path, 'test')
    assert imgs.shape == (1, 112, 112) and labels.tolist() == [4]


@pytest.mark.parametrize('change,match', [
    (dict(y_test=np.array([1, 2])), '3 images in /x_test but 2 labels'),
    (dict(y_test=np.array([1, 2, 11])), 'labels other than 0-9'),
    (dict(x_test=np.ones((3, 112, 112, 1), np.float32)), 'outside'),
    (dict(x_test=np.zeros((3, 112, 100, 1), np.float32)), 'expected'),
    (dict(y_test=None), 'no /y_test'),
])
def test_bad_files(tmp_path, change, match):
    content = dict(x_test=np.zeros((3, 112, 112, 1), np.float32),
                   y_test=np.array([1, 2, 3]))
    content.update(change)
    path = str(tmp_path / 'bad.h5')
    with h5py.File(path, 'w') as f:
        for k, v in content.items():
            if v is not None:
                f[k] = v
    with pytest.raises(DataFileError, match=match) as e:
        read_large_scale(path, 'test')
    assert path in str(e.value)


def test_not_hdf5_and_truncated(tmp_path, h5_file):
    garbage = tmp_path / 'x.h5'
    garbage.write_bytes(b'not hdf5' * 100)
    with pytest.raises(DataFileError, match='not a readable HDF5'):
        read_large_scale(str(garbage), 'test')
    path, _ = h5_file
    cut = tmp_path / 'cut.h5'
    cut.write_bytes(open(path, 'rb').read()[:5000])
    with pytest.raises(DataFileError, match='not a readable HDF5'):
        read_large_scale(str(cut), 'test')
    with pytest.raises(FileNotFoundError, match='not found'):
        read_large_scale(str(tmp_path / 'none.h5'), 'test')


def test_unwritable_output(tmp_path):
    (tmp_path / 'file').write_text('')
    with pytest.raises(OSError, match='cannot write'):
        write_h5(str(tmp_path / 'file' / 'x.h5'), {})


def test_data_sets(h5_file):
    path, _ = h5_file
    root, name = osp.split(path)
    seg = MNISTLargeScaleDataset(data_root=root, h5_file=name, pipeline=[])
    assert len(seg) == 3
    sample = seg[1]
    assert sample['img'].shape == (112, 112)
    assert set(np.unique(sample['gt_seg_map'])) == {7, 10}
    det = MNISTLargeScaleDetDataset(data_root=root, h5_file=name,
                                    index_range=(1, 3), pipeline=[])
    assert len(det) == 2
    (inst, ) = det[0]['instances']
    assert inst['bbox_label'] == 7
    x1, y1, x2, y2 = inst['bbox']
    assert y2 - y1 == pytest.approx(32, abs=4) and x1 < 56 < x2
    with pytest.raises(ValueError, match='h5_file is required'):
        MNISTLargeScaleDataset(data_root=root, pipeline=[])


def test_generate_tool(tmp_path):
    from ...conftest import load_tool
    tool = load_tool('generate_large_scale')
    write_mnist(tmp_path, n=40, split='train')
    write_mnist(tmp_path, n=20, split='test')
    out = str(tmp_path / 'out')
    assert tool.main([out, '--mnist', str(tmp_path), '--counts', '4', '0',
                      '2', '--train-scales', '1', '4']) == 0
    (name, ) = os.listdir(out)
    assert name == ('mnist_large_scale_tr4_te2_outsize112-112_'
                    'sctr1p000-4p000_scte1p000.h5')
    assert read_large_scale(osp.join(out, name), 'train')[0].shape[0] == 4
    out = str(tmp_path / 'each')
    assert tool.main([out, '--mnist', str(tmp_path), '--counts', '0', '0',
                      '2', '--each-test-scale']) == 0
    assert len(os.listdir(out)) == 17
    assert tool.main([out, '--mnist', str(tmp_path), '--counts', '0', '0',
                      '99']) == 1
