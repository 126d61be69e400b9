import os
import os.path as osp
import pickle
import tracemalloc

import numpy as np
import pytest
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS

from m2nist_core import DataFileError
from m2nist_mm.datasets.m2nist import M2NISTDataset
from ..conftest import full_data, make_m2nist, to_onehot


def write(root, imgs, masks):
    np.save(osp.join(root, 'combined.npy'), imgs)
    np.save(osp.join(root, 'segmented.npy'), masks)
    return str(root)


def build(root, **kwargs):
    kwargs.setdefault('index_range', (0, 4))
    return M2NISTDataset(data_root=str(root), **kwargs)


def test_registered_in_mmseg():
    init_default_scope('mmseg')
    assert DATASETS.get('M2NISTDataset') is M2NISTDataset


def test_kaggle_sample_onehot_and_compact_agree(tmp_path, kaggle_sample):
    imgs, onehot = kaggle_sample  # float32 images, int32 one-hot
    a = build(write(tmp_path, imgs, onehot), index_range=(0, 10))
    assert a.metainfo['classes'] == tuple('0123456789') + ('background', )
    assert len(a.metainfo['palette']) == 11
    compact = tmp_path / 'c'
    compact.mkdir()
    b = build(write(compact, imgs.astype(np.uint8), onehot.argmax(-1)
                    .astype(np.uint8)), index_range=(0, 10))
    for i in range(10):
        sa, sb = a.get_data_info(i), b.get_data_info(i)
        assert sa['img'].dtype == np.uint8 and sa['img'].shape == (64, 84)
        np.testing.assert_array_equal(sa['img'], imgs[i])
        np.testing.assert_array_equal(sa['gt_seg_map'], onehot[i].argmax(-1))
        np.testing.assert_array_equal(sa['img'], sb['img'])
        np.testing.assert_array_equal(sa['gt_seg_map'], sb['gt_seg_map'])
        assert sa['img_idx'] == i and sa['seg_fields'] == ['gt_seg_map']


@pytest.mark.full_data
def test_kaggle_sample_matches_full_compact_copy(kaggle_sample):
    ds = M2NISTDataset(data_root=full_data('m2nist'), index_range=(0, 10))
    imgs, onehot = kaggle_sample
    for i in range(10):
        np.testing.assert_array_equal(ds.get_data_info(i)['gt_seg_map'],
                                      onehot[i].argmax(-1))


@pytest.mark.parametrize('img_dtype', [np.uint8, np.int64, np.float32,
                                       np.float64])
@pytest.mark.parametrize('mask_kind', ['index-uint8', 'index-int64',
                                       'onehot-int64', 'onehot-int32',
                                       'onehot-uint8', 'onehot-float32',
                                       'onehot-bool'])
def test_layouts_and_dtypes(tmp_path, img_dtype, mask_kind):
    imgs, masks = make_m2nist(6)
    layout, dtype = mask_kind.split('-')
    stored = masks.astype(dtype) if layout == 'index' else to_onehot(
        masks, dtype)
    ds = build(write(tmp_path, imgs.astype(img_dtype), stored),
               index_range=(2, 6))
    assert len(ds) == 4
    for i in range(4):
        info = ds.get_data_info(i)
        assert info['img_idx'] == i + 2
        np.testing.assert_array_equal(info['img'], imgs[i + 2])
        np.testing.assert_array_equal(info['gt_seg_map'], masks[i + 2])


def test_images_with_channel_axis(tmp_path):
    imgs, masks = make_m2nist(4)
    ds = build(write(tmp_path, imgs[..., None], masks))
    np.testing.assert_array_equal(ds.get_data_info(3)['img'], imgs[3])


def test_overlapping_onehot_takes_lowest_class(tmp_path):
    imgs, masks = make_m2nist(4)
    onehot = to_onehot(masks)
    onehot[1, 5, 7, [3, 8]] = 1  # two digits' inks overlap here
    onehot[1, 5, 7, 10] = 0
    ds = build(write(tmp_path, imgs, onehot))
    assert ds.get_data_info(1)['gt_seg_map'][5, 7] == 3


@pytest.mark.full_data
def test_default_splits_on_real_data():
    root = full_data('m2nist')
    sizes = {s: len(M2NISTDataset(data_root=root, split=s, lazy_init=False))
             for s in ('train', 'val', 'test')}
    assert sizes == dict(train=4000, val=500, test=500)
    test = M2NISTDataset(data_root=root, split='test')
    assert test.get_data_info(0)['img_idx'] == 4500
    assert test.get_data_info(499)['img_idx'] == 4999


def test_int64_onehot_is_not_held_in_memory(tmp_path):
    """A Kaggle-like int64 one-hot file is converted chunk by chunk."""
    imgs, masks = make_m2nist(256)
    write(tmp_path, imgs.astype(np.int64), to_onehot(masks, np.int64))
    size = osp.getsize(tmp_path / 'segmented.npy')
    tracemalloc.start()
    ds = build(tmp_path, index_range=(0, 256))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < size / 2, (peak, size)
    np.testing.assert_array_equal(ds.get_data_info(255)['gt_seg_map'],
                                  masks[255])


def test_dataloader_with_workers(tmp_path):
    from mmengine.runner import Runner
    imgs, masks = make_m2nist(8)
    write(tmp_path, imgs, masks)
    loader = Runner.build_dataloader(
        dict(
            batch_size=4,
            num_workers=2,
            sampler=dict(type='DefaultSampler', shuffle=False),
            dataset=dict(
                type='M2NISTDataset',
                data_root=str(tmp_path),
                index_range=(0, 8),
                pipeline=[
                    dict(type='LoadDigitImage'),
                    dict(type='PackSegInputs', meta_keys=('img_idx', ))
                ])))
    batches = list(loader)
    assert len(batches) == 2
    got = np.stack([x.numpy()[0] for b in batches for x in b['inputs']])
    np.testing.assert_array_equal(got, imgs)
    seg = np.stack([s.gt_sem_seg.data.numpy()[0] for b in batches
                    for s in b['data_samples']])
    np.testing.assert_array_equal(seg, masks)


# --------------------------------------------------------------- bad input
def expect_error(root, match, exc=DataFileError, **kwargs):
    with pytest.raises(exc, match=match):
        build(root, **kwargs)


def test_missing_files_say_where_to_get_m2nist(tmp_path):
    with pytest.raises(FileNotFoundError, match='combined.npy.*kaggle'):
        build(tmp_path)


def test_count_mismatch(tmp_path):
    imgs, masks = make_m2nist(5)
    expect_error(write(tmp_path, imgs, masks[:4]), '5 images but .*4 masks')


@pytest.mark.parametrize('which,shape,match', [
    ('img', (5, 64, 80), r'combined.npy: images are 64x80, expected 64x84'),
    ('img', (5, 64, 84, 3), r'combined.npy: images have 3 channels'),
    ('img', (5, 5376), r'combined.npy: expected images of shape'),
    ('seg', (5, 60, 84), r'segmented.npy: masks are 60x84, expected 64x84'),
    ('seg', (5, 64, 84, 10), r'segmented.npy: one-hot masks have 10 channels'),
])
def test_wrong_shapes(tmp_path, which, shape, match):
    imgs, masks = make_m2nist(5)
    if which == 'img':
        imgs = np.zeros(shape, np.uint8)
    else:
        masks = np.zeros(shape, np.uint8)
    expect_error(write(tmp_path, imgs, masks), match)


def test_onehot_pixel_without_class(tmp_path):
    imgs, masks = make_m2nist(5)
    onehot = to_onehot(masks)
    onehot[3, 10, 10] = 0
    expect_error(write(tmp_path, imgs, onehot),
                 'segmented.npy: sample 3 has pixels with no class')


@pytest.mark.parametrize('value', [2, -1])
def test_onehot_values_out_of_range(tmp_path, value):
    imgs, masks = make_m2nist(5)
    onehot = to_onehot(masks)
    onehot[2, 0, 0, 4] = value
    expect_error(write(tmp_path, imgs, onehot),
                 'sample 2 has one-hot values other than 0 and 1')


def test_class_index_out_of_range(tmp_path):
    imgs, masks = make_m2nist(5)
    masks[1, 3, 3] = 11
    expect_error(write(tmp_path, imgs, masks),
                 'sample 1 has class indices outside 0-10')


def test_float_class_index_map_refused(tmp_path):
    imgs, masks = make_m2nist(5)
    expect_error(write(tmp_path, imgs, masks.astype(np.float32)),
                 'class-index map must have an integer dtype')


@pytest.mark.parametrize('value,match', [(300, 'outside 0-255'),
                                         (-3, 'outside 0-255'),
                                         (12.5, 'non-integer pixel values'),
                                         (np.nan, 'NaN or inf')])
def test_bad_pixel_values(tmp_path, value, match):
    imgs, masks = make_m2nist(5)
    imgs = imgs.astype(np.float32)
    imgs[4, 1, 1] = value
    expect_error(write(tmp_path, imgs, masks),
                 f'combined.npy: sample 4 .*{match}', index_range=(0, 5))


def test_nan_in_onehot(tmp_path):
    imgs, masks = make_m2nist(5)
    onehot = to_onehot(masks, np.float32)
    onehot[0, 0, 0, 0] = np.nan
    expect_error(write(tmp_path, imgs, onehot),
                 'segmented.npy: sample 0 holds NaN')


def test_pickled_array_refused(tmp_path):
    imgs, masks = make_m2nist(5)
    write(tmp_path, imgs, masks)
    obj = np.empty(5, dtype=object)
    np.save(tmp_path / 'segmented.npy', obj, allow_pickle=True)
    expect_error(tmp_path, 'segmented.npy: holds a pickled')


def test_truncated_file(tmp_path):
    imgs, masks = make_m2nist(5)
    write(tmp_path, imgs, masks)
    path = tmp_path / 'combined.npy'
    path.write_bytes(path.read_bytes()[:5000])
    expect_error(tmp_path, 'combined.npy: not a valid .npy array or '
                 'truncated')


def test_not_an_npy_file(tmp_path):
    imgs, masks = make_m2nist(5)
    write(tmp_path, imgs, masks)
    (tmp_path / 'segmented.npy').write_text('label,pixel0\n1,0\n')
    expect_error(tmp_path, 'segmented.npy: not a valid .npy')
    with open(tmp_path / 'segmented.npy', 'wb') as f:
        pickle.dump(masks, f)
    expect_error(tmp_path, 'segmented.npy: is a pickle')
    np.savez(tmp_path / 'segmented.npy', masks=masks)
    os.replace(tmp_path / 'segmented.npy.npz', tmp_path / 'segmented.npy')
    expect_error(tmp_path, 'segmented.npy: is an .npz archive')


def test_index_range_outside_data(tmp_path):
    imgs, masks = make_m2nist(5)
    expect_error(write(tmp_path, imgs, masks), r'index_range \(2, 9\) is '
                 r'outside the data \(5 samples\)', index_range=(2, 9))


@pytest.mark.parametrize('kwargs,match', [
    (dict(split='training'), "unknown split 'training'"),
    (dict(index_range=(4, 2)), 'index_range must be'),
    (dict(index_range=(0, 2.5)), 'index_range must be'),
])
def test_bad_arguments(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        M2NISTDataset(data_root=str(tmp_path), **kwargs)
