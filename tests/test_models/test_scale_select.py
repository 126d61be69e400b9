"""ScaleSelectEncoderDecoder: scale channels, per-image selection."""
import functools
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import MODELS

from m2nist_mm.apis import load_model, torch_predict
from m2nist_mm.models.segmentors import ScaleSelectEncoderDecoder, rescale
from ..conftest import REPO, make_m2nist, model_cfg, varied_checkpoint

SELECT = 'fastscnn_scale-select'


def build(**changes) -> ScaleSelectEncoderDecoder:
    cfg = Config.fromfile(osp.join(REPO, 'configs', f'm2nist_{SELECT}.py'))
    cfg.model.update(changes)
    init_default_scope('mmseg')
    return MODELS.build(cfg.model).eval()


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory) -> str:
    return varied_checkpoint(
        'fastscnn', str(tmp_path_factory.mktemp('sel') / 'f.pth'))


@pytest.mark.parametrize('factors,match', [
    ((), 'positive numbers'),
    ((1.0, -0.5), 'positive numbers'),
    ((2.0, 0.5), 'must hold 1.0'),
])
def test_bad_factors_are_refused(factors, match):
    with pytest.raises(ValueError, match=match):
        build(scale_factors=factors)


def test_configs_keep_the_plain_models_weights():
    for name in ('fastscnn', 'unet'):
        plain = Config.fromfile(model_cfg(name)).model
        cfg = Config.fromfile(model_cfg(f'{name}_scale-select')).model
        assert cfg.type == 'ScaleSelectEncoderDecoder'
        assert cfg.backbone == plain.backbone
        assert cfg.decode_head == plain.decode_head
        assert 1.0 in cfg.scale_factors and cfg.background == 10


def test_enlarging_channels_only_for_small_images():
    model = build()
    assert model.channel_factors(64, 84) == list(model.scale_factors)
    big = model.channel_factors(256, 336)
    assert max(big) == 1.0 and min(big) == 0.125 and len(big) == 7


def test_rescale_clamps_bicubic_overshoot():
    x = torch.zeros(1, 1, 8, 8)
    x[..., 2:6, 2:6] = 1
    up = rescale(x, 2.0, 0.0, 1.0)
    assert up.shape == (1, 1, 16, 16)
    assert up.min() == 0 and up.max() == 1
    assert torch.allclose(
        rescale(x, 0.5, 0.0, 1.0), F.avg_pool2d(x, 2), atol=1e-6)


def test_each_image_takes_its_most_confident_channel(monkeypatch):
    """Channel 0.5 is sure of digit 3, channel 1 hesitates between 1 and 7
    (and finds the ink), channel 2 finds nothing: the digit pixels become
    3, the background stays background."""
    model = build(scale_factors=(2.0, 1.0, 0.5))
    ink = torch.zeros(1, 1, 64, 84, dtype=torch.bool)
    ink[..., 20:40, 30:50] = True

    def channel_probs(inputs, factor):
        p = torch.zeros(len(inputs), 11, 64, 84)
        p[:, 10] = 1.0
        on = ink.expand(len(inputs), 1, 64, 84)[:, 0]
        if factor == 1.0:
            p[:, 10][on] = 0.2
            p[:, 1][on], p[:, 7][on] = 0.4, 0.4
        elif factor == 0.5:
            p[:, 10][on] = 0.4
            p[:, 3][on], p[:, 8][on] = 0.54, 0.06
        return p

    monkeypatch.setattr(model, 'channel_probs', channel_probs)
    scores = model.encode_decode(torch.zeros(2, 1, 64, 96),
                                 [dict(img_shape=(64, 84))] * 2)
    assert scores.shape == (2, 11, 64, 96)
    pred = scores[..., :84].argmax(1)
    assert (pred[:, ink[0, 0]] == 3).all()
    assert (pred[:, ~ink[0, 0]] == 10).all()
    # background: the mean of the two channels' probability (0.3 on ink)
    on_ink = scores[:, 10, :, :84][:, ink[0, 0]]
    assert torch.allclose(on_ink, torch.tensor(0.3))
    assert (scores[..., 84:] == 0).all()  # the padding


def test_padding_and_batch_do_not_change_scores(checkpoint):
    """An image is read inside its ``img_shape``: the scores are the same
    alone or in a batch padded to a larger image."""
    model = load_model(model_cfg(SELECT), checkpoint)
    small = torch.from_numpy(make_m2nist(1, seed=5)[0]).float()[:, None]
    big = torch.zeros(1, 1, 96, 126)
    big[..., 16:80, 21:105] = small
    batch = torch.cat([F.pad(small, (0, 42, 0, 32)), big]) / 255
    with torch.no_grad():
        both = model.encode_decode(
            batch, [dict(img_shape=(64, 84)), dict(img_shape=(96, 126))])
        alone = model.encode_decode(small / 255, [dict(img_shape=(64, 84))])
        big_alone = model.encode_decode(big / 255,
                                        [dict(img_shape=(96, 126))])
    assert torch.allclose(both[:1, :, :64, :84], alone, atol=1e-6)
    assert torch.allclose(both[1:], big_alone, atol=1e-6)
    assert (both[:1, :, 64:] == 0).all()


def test_one_factor_is_the_plain_segmenter(checkpoint):
    """One factor: the plain config's segmenter, per pixel (its digit
    classifier loads but does not name the scale channels' digits)."""
    images = list(make_m2nist(3, seed=6)[0])
    model = load_model(model_cfg('fastscnn'), checkpoint)
    model.predict = functools.partial(EncoderDecoder.predict, model)
    plain = torch_predict(model, images)
    cfg = Config.fromfile(model_cfg(SELECT))
    cfg.model.scale_factors = [1.0]
    one = torch_predict(load_model(cfg, checkpoint), images)
    for a, b in zip(plain, one):
        np.testing.assert_array_equal(a, b)
