import cv2
import numpy as np
import pytest

from m2nist_core import DataFileError
from m2nist_core.digit_warp import warp_digits
from m2nist_mm.datasets.transforms import (LoadDigitImage, RandomDigitWarp,
                                           RandomTranslate, ToGray)
from ..conftest import make_m2nist


@pytest.fixture
def sample():
    imgs, masks = make_m2nist(1, seed=3)
    return dict(
        img=imgs[0],
        gt_seg_map=masks[0],
        seg_fields=['gt_seg_map'],
        img_path='combined.npy')


def test_load_from_array(sample):
    out = LoadDigitImage()(dict(sample))
    assert out['img'] is sample['img']
    assert out['img_shape'] == out['ori_shape'] == (64, 84)


@pytest.mark.parametrize('ext', ['.png', '.npy'])
def test_load_from_file(tmp_path, sample, ext):
    path = str(tmp_path / f'digit{ext}')
    if ext == '.png':
        cv2.imwrite(path, sample['img'])
    else:
        np.save(path, sample['img'].astype(np.float32))
    out = LoadDigitImage()(dict(img_path=path))
    np.testing.assert_array_equal(out['img'], sample['img'])
    assert out['img'].dtype == np.uint8 and out['img_shape'] == (64, 84)


def test_load_errors(tmp_path, sample):
    with pytest.raises(FileNotFoundError, match='nowhere.png'):
        LoadDigitImage()(dict(img_path=str(tmp_path / 'nowhere.png')))
    bad = tmp_path / 'bad.png'
    bad.write_bytes(b'not a png')
    with pytest.raises(DataFileError, match='bad.png: cannot be decoded'):
        LoadDigitImage()(dict(img_path=str(bad)))
    np.save(tmp_path / 'batch.npy', np.zeros((2, 64, 84), np.uint8))
    with pytest.raises(DataFileError, match=r'batch.npy: expected one image'):
        LoadDigitImage()(dict(img_path=str(tmp_path / 'batch.npy')))
    with pytest.raises(TypeError, match='combined.npy.*uint8'):
        LoadDigitImage()(dict(sample, img=sample['img'].astype(np.float32)))
    with pytest.raises(KeyError, match='neither'):
        LoadDigitImage()(dict())


def test_to_gray_of_grey_saved_as_bgr_is_exact(sample):
    grey = sample['img']
    for img in (grey, grey[..., None], np.repeat(grey[..., None], 3, 2)):
        out = ToGray()(dict(img=img))['img']
        assert out.shape == (64, 84) and out.dtype == np.uint8
        np.testing.assert_array_equal(out, grey)


def test_to_gray_refuses_other_channel_counts(sample):
    with pytest.raises(ValueError, match='x.png: expected a grey or BGR'):
        ToGray()(dict(img=np.zeros((4, 4, 4), np.uint8), img_path='x.png'))


def test_random_translate_keeps_ink_and_masks_aligned(sample):
    np.random.seed(0)
    t = RandomTranslate(max_shift=(8, 8), prob=1.0)
    ink = int((sample['img'] > 0).sum())
    moved = 0
    for _ in range(20):
        out = t(dict(sample, seg_fields=['gt_seg_map']))
        img, seg = out['img'], out['gt_seg_map']
        assert int((img > 0).sum()) == ink  # no ink lost at the border
        assert np.array_equal(img > 0, seg != 10)  # mask follows the image
        assert sorted(np.unique(img[img > 0])) == sorted(
            np.unique(sample['img'][sample['img'] > 0]))
        moved += not np.array_equal(img, sample['img'])
    assert moved > 10


def test_random_translate_prob_zero_and_bad_args(sample):
    out = RandomTranslate(prob=0.0)(dict(sample))
    assert out['img'] is sample['img']
    with pytest.raises(ValueError, match='max_shift'):
        RandomTranslate(max_shift=(-1, 2))
    with pytest.raises(ValueError, match='prob'):
        RandomTranslate(prob=1.5)


@pytest.mark.parametrize('elastic_alpha', [0.0, 6.0])
def test_digit_warp_keeps_labels_exact(elastic_alpha):
    imgs, masks = make_m2nist(6, seed=5)
    rng = np.random.RandomState(0)
    for img, mask in zip(imgs, masks):
        out, out_mask = warp_digits(img, mask, rng, max_rotate=20,
                                    elastic_alpha=elastic_alpha)
        assert out.shape == img.shape and out.dtype == img.dtype
        assert not np.array_equal(out, img)
        # ink exactly where a digit is, and only digits of the input
        np.testing.assert_array_equal(out_mask != 10, out > 0)
        assert set(np.unique(out_mask)) <= set(np.unique(mask))


def test_digit_warp_identity():
    imgs, masks = make_m2nist(2, seed=5)
    rng = np.random.RandomState(0)
    for img, mask in zip(imgs, masks):
        out, out_mask = warp_digits(img, mask, rng, max_rotate=0,
                                    scale_range=(1, 1), max_shear=0)
        np.testing.assert_array_equal(out, img)
        np.testing.assert_array_equal(out_mask, mask)


def test_digit_warp_transform(sample):
    np.random.seed(1)
    out = RandomDigitWarp(prob=1.0)(dict(sample))
    assert not np.array_equal(out['img'], sample['img'])
    np.testing.assert_array_equal(out['gt_seg_map'] != 10, out['img'] > 0)
    skipped = RandomDigitWarp(prob=0.0)(dict(sample))
    assert skipped['img'] is sample['img']
    with pytest.raises(ValueError, match='combined.npy.*ToGray'):
        RandomDigitWarp(prob=1.0)(dict(sample, img=np.zeros((64, 84, 3),
                                                            np.uint8)))
    with pytest.raises(ValueError, match='uint8 image'):
        warp_digits(sample['img'].astype(np.float32), sample['gt_seg_map'],
                    np.random.RandomState(0))


@pytest.mark.parametrize('kwargs', [
    dict(prob=1.5), dict(scale_range=(1.2, 0.8)), dict(scale_range=(0, 1)),
    dict(max_rotate=-1), dict(elastic_sigma=0)
])
def test_digit_warp_bad_args(kwargs):
    with pytest.raises(ValueError, match='RandomDigitWarp'):
        RandomDigitWarp(**kwargs)
