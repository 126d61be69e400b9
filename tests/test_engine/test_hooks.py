import random
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS, MODELS

from m2nist_core.naming import true_digit_crops
from m2nist_mm.engine.hooks.channels_last_hook import ChannelsLastHook
from m2nist_mm.engine.hooks.iter_seed_hook import IterSeedHook
from m2nist_mm.engine.hooks.train_digits_hook import TrainDigitsHook


def test_channels_last_hook_keeps_parameters():
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(),
                                torch.nn.Conv2d(4, 2, 1))
    optim = torch.optim.AdamW(model.parameters())
    x = torch.rand(2, 1, 8, 8)
    before = model(x)
    ChannelsLastHook().before_run(SimpleNamespace(model=model))
    weight = model[0].weight
    assert weight.is_contiguous(memory_format=torch.channels_last)
    # the optimizer still holds the model's parameters
    assert optim.param_groups[0]['params'][0] is weight
    torch.testing.assert_close(model(x), before)


def test_iter_seed_hook_draws_by_iteration():
    hook = IterSeedHook()

    def draws(it: int) -> tuple:
        hook.before_train_iter(SimpleNamespace(seed=7, iter=it), 0)
        return random.random(), np.random.rand(), torch.rand(1).item()

    assert draws(5) == draws(5)
    assert draws(5) != draws(6)


def test_train_digits_hook_hands_over_the_training_set(tiny_root):
    init_default_scope('mmseg')
    dataset = DATASETS.build(dict(type='M2NISTDataset', data_root=tiny_root,
                                  index_range=(0, 6), pipeline=[]))
    model = MODELS.build(dict(
        type='DigitNamingEncoderDecoder', train_digits=8,
        digit_classifier=dict(type='DigitCNN', width=8),
        backbone=dict(type='UNet', in_channels=1, base_channels=8,
                      num_stages=2, strides=(1, 1), enc_num_convs=(1, 1),
                      dec_num_convs=(1, ), downsamples=(True, ),
                      enc_dilations=(1, 1), dec_dilations=(1, )),
        decode_head=dict(type='FCNHead', in_channels=8, channels=8,
                         num_convs=1, num_classes=11, in_index=-1)))
    runner = SimpleNamespace(model=model, train_dataloader=SimpleNamespace(
        dataset=dataset))
    TrainDigitsHook().before_train(runner)
    images = np.stack([dataset.get_data_info(i)['img'] for i in range(6)])
    masks = np.stack([dataset.get_data_info(i)['gt_seg_map']
                      for i in range(6)])
    crops, classes = true_digit_crops(images, masks)
    digits, labels = model.train_pool()
    assert len(labels) >= 12  # two or three digits an image
    assert np.array_equal(digits.numpy(), crops)
    assert np.array_equal(labels.numpy(), classes)
    # a model without train_digits is left alone; a data set without
    # arrays is refused by name
    plain = SimpleNamespace(train_digits=None)
    TrainDigitsHook().before_train(SimpleNamespace(model=plain))
    bare = type('PngFolder', (), {'__len__': lambda self: 1,
                                  'get_data_info': lambda self, i: {}})()
    with pytest.raises(ValueError, match='PngFolder'):
        TrainDigitsHook().before_train(SimpleNamespace(
            model=model, train_dataloader=SimpleNamespace(dataset=bare)))
