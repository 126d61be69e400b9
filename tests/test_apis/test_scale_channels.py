"""Scale-channel inference: single-scale equals mmseg, fusion rules, IoU."""
import functools

import numpy as np
import pytest
import torch

from m2nist_mm.apis.scale_channels import (check_channels, fuse,
                                           predict_scales, rescale_batch)
from ..conftest import make_m2nist, model_cfg, varied_checkpoint


@pytest.fixture(scope='module')
def model(tmp_path_factory):
    """The FastSCNN config's segmenter (the scale channels read its scores,
    before its classifier names the digits)."""
    from mmseg.apis import init_model
    from mmseg.models.segmentors import EncoderDecoder
    path = str(tmp_path_factory.mktemp('ckpt') / 'fastscnn.pth')
    model = init_model(
        model_cfg('fastscnn'), varied_checkpoint('fastscnn', path), 'cpu')
    model.predict = functools.partial(EncoderDecoder.predict, model)
    return model


def test_one_channel_is_mmseg_inference(model):
    from mmseg.apis import inference_model
    imgs = make_m2nist(3, seed=5)[0]
    ours = predict_scales(model, imgs, (1.0, ), batch_pixels=64 * 84 * 2)
    for img, pred in zip(imgs, ours):
        ref = inference_model(model, np.repeat(img[..., None], 3, 2))
        np.testing.assert_array_equal(
            pred, ref.pred_sem_seg.data[0].numpy().astype(np.uint8))
    assert len(np.unique(ours)) > 1


def test_channels_resize_back_to_the_image(model):
    imgs = make_m2nist(2, seed=6)[0][:, :40, :60]
    for fusion in ('max', 'mean', 'select'):
        out = predict_scales(model, imgs, (2.0, 1.0, 0.5), fusion)
        assert out.shape == imgs.shape and out.dtype == np.uint8
    up = rescale_batch(torch.full((1, 1, 4, 6), 255.), 1.5)
    assert up.shape[-2:] == (6, 9) and up.max() <= 255


def test_fusion_rules():
    # two channels, one pixel, three classes
    a = torch.tensor([0.5, 0.3, 0.2]).view(1, 3, 1, 1)
    b = torch.tensor([0.1, 0.45, 0.45]).view(1, 3, 1, 1)
    c = torch.tensor([0.05, 0.9, 0.05]).view(1, 3, 1, 1)
    assert fuse([a, b], 'max').item() == 0  # 0.5 beats 0.45
    assert fuse([a, b], 'mean').item() == 1  # 0.375 beats 0.3
    assert fuse([a, c], 'max').item() == 1
    # select: per image, the channel with the highest mean confidence
    two = [torch.cat([a, c]), torch.cat([c, a])]
    assert fuse(two, 'select').view(-1).tolist() == [1, 1]

    # ... over the ink (pixel 0 here): a confident background does not count
    def two_pixels(ink_px, bg_px):
        return torch.tensor([ink_px, bg_px]).T.reshape(1, 3, 1, 2)

    sure_digit = two_pixels([0.05, 0.9, 0.05], [0.3, 0.2, 0.5])  # 0.9, 0.5
    sure_bg = two_pixels([0.6, 0.1, 0.3], [0.0, 0.0, 1.0])  # 0.6, 1.0
    ink = torch.tensor([[[True, False]]])
    assert fuse([sure_digit, sure_bg], 'select',
                ink).view(-1).tolist() == [1, 2]
    assert fuse([sure_digit, sure_bg], 'select').view(-1).tolist() == [0, 2]
    no_ink = torch.zeros_like(ink)  # then the whole image counts
    assert fuse([sure_digit, sure_bg], 'select',
                no_ink).view(-1).tolist() == [0, 2]


@pytest.mark.parametrize('factors,fusion,match',
                         [((), 'max', 'positive numbers'),
                          ((1.0, -2.0), 'max', 'positive'),
                          ((1.0, ), 'vote', 'fusion must be one of')])
def test_bad_channels(factors, fusion, match):
    with pytest.raises(ValueError, match=match):
        check_channels(factors, fusion)


def test_bad_images(model):
    with pytest.raises(ValueError, match=r'\(N, H, W\) grey'):
        predict_scales(model, np.zeros((2, 8, 8, 3), np.uint8))
