"""Scale-normalised inference: digit height, scale estimate, ink rule."""
import os.path as osp

import numpy as np
import pytest

from m2nist_core.datagen.scale_sets import make_scale_sets
from m2nist_mm.apis.scale_channels import predict_scales
from m2nist_mm.apis.scale_norm import (DIGIT_HEIGHT, estimate_scale,
                                       ink_height, predict_normalised)
from ..conftest import MNIST_SUBSET, make_m2nist, model_cfg, varied_checkpoint

BACKGROUND = 10


@pytest.fixture(scope='module')
def model(tmp_path_factory):
    from mmseg.apis import init_model
    path = str(tmp_path_factory.mktemp('ckpt') / 'fastscnn.pth')
    return init_model(model_cfg('fastscnn'), varied_checkpoint('fastscnn',
                                                               path), 'cpu')


def test_height_is_sub_pixel_and_ignores_specks():
    img = np.zeros((40, 30), np.uint8)
    img[5:25, 4:8] = 255           # a bar 20 rows tall
    assert ink_height(img) == pytest.approx(20.0)
    img[4, 4:8] = 128              # a half-bright row on top: +1/2 row
    assert ink_height(img) == pytest.approx(20.5, abs=0.01)
    img[35, 20] = 255              # a speck far from it
    assert ink_height(img) == pytest.approx(20.5, abs=0.01)
    assert ink_height(np.zeros((8, 8), np.uint8)) is None
    assert estimate_scale(np.zeros((8, 8), np.uint8)) == 1.0
    with pytest.raises(ValueError, match=r'\(H, W\) grey image'):
        ink_height(np.zeros((2, 8, 8), np.uint8))


def test_scale_estimate_on_generated_scales(tmp_path):
    scales = (0.5, 1.0, 2.0, 4.0)
    sets = make_scale_sets(str(tmp_path), MNIST_SUBSET, scales,
                           [20, 20, 10, 5])
    for scale, folder in zip(scales, sets):
        found = [estimate_scale(img) / scale
                 for img in np.load(osp.join(folder, 'combined.npy'))]
        # the median image within 10 %, every image within a factor 1.5
        assert np.median(found) == pytest.approx(1.0, abs=0.1), scale
        assert 1 / 1.5 < min(found) and max(found) < 1.5, scale


def test_ink_rule_and_unit_scale(model):
    imgs = make_m2nist(4, seed=7)[0]
    out = predict_normalised(model, imgs, BACKGROUND)
    assert out.shape == imgs.shape and out.dtype == np.uint8
    assert (out[imgs == 0] == BACKGROUND).all()
    assert (out[imgs > 0] != BACKGROUND).all()
    # digits already of the reference height: plain single-scale inference
    img = imgs[:1]
    plain = predict_normalised(model, img, BACKGROUND, ink_rule=False,
                               digit_height=ink_height(img[0]))
    np.testing.assert_array_equal(plain, predict_scales(model, img))
    # twice the reference height: the model sees the image halved
    half = predict_normalised(model, img, BACKGROUND, ink_rule=False,
                              digit_height=ink_height(img[0]) / 2)
    np.testing.assert_array_equal(half, predict_scales(model, img, (0.5, )))


def test_bad_input(model):
    with pytest.raises(ValueError, match=r'\(N, H, W\) grey'):
        predict_normalised(model, np.zeros((8, 8), np.uint8), BACKGROUND)
    with pytest.raises(ValueError, match='digit_height must be positive'):
        predict_normalised(model, np.zeros((1, 8, 8), np.uint8), BACKGROUND,
                           digit_height=0)
    assert DIGIT_HEIGHT == pytest.approx(19.9)
