"""DigitCSPNeXt: RTMDet's backbone on one-channel digits."""
import pytest
import torch
from mmdet.registry import MODELS


@pytest.fixture(autouse=True)
def mmdet_scope():
    """Build in mmdet's scope whatever scope earlier tests left current."""
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmdet'):
        yield


def test_grey_input_gives_three_levels():
    net = MODELS.build(dict(type='DigitCSPNeXt', in_channels=1,
                            deepen_factor=0.167, widen_factor=0.375))
    assert net.stem[0].conv.in_channels == 1
    outs = net(torch.zeros(2, 1, 64, 96))
    assert [tuple(o.shape[2:]) for o in outs] == [(8, 12), (4, 6), (2, 3)]


def test_stages_after_the_last_output_are_not_built():
    net = MODELS.build(dict(type='DigitCSPNeXt', in_channels=1,
                            deepen_factor=0.167, widen_factor=0.375,
                            out_indices=(1, 2, 3)))
    assert net.layers == ['stem', 'stage1', 'stage2', 'stage3']
    assert not hasattr(net, 'stage4')
    outs = net(torch.zeros(1, 1, 64, 96))
    assert [o.shape[1] for o in outs] == [48, 96, 192]


@pytest.mark.parametrize('value', [0, 1.5, '1'])
def test_bad_in_channels(value):
    with pytest.raises(ValueError, match='in_channels must be a positive'):
        MODELS.build(dict(type='DigitCSPNeXt', in_channels=value))
