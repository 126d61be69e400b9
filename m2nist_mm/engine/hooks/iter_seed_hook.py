"""Seeding every training iteration, so that a resumed run is exact."""
import random
from typing import Optional

import numpy as np
import torch
from mmengine.hooks import Hook
from mmseg.registry import HOOKS


@HOOKS.register_module()
class IterSeedHook(Hook):
    """Seed Python's, numpy's and torch's generators before each training
    iteration from the run's seed and the iteration, so that a resumed run
    draws what the uninterrupted one did (mmengine seeds once per run).
    Data loading keeps its own generators.
    """

    priority = 'VERY_HIGH'

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        seed = ((runner.seed or 0) * 1_000_003 + runner.iter) % 2**32
        random.seed(seed)
        np.random.seed(seed)
        torch.manual_seed(seed)
