import random
from types import SimpleNamespace

import numpy as np
import torch

from m2nist_mm.engine.hooks.channels_last_hook import ChannelsLastHook
from m2nist_mm.engine.hooks.iter_seed_hook import IterSeedHook


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
