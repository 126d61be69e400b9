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
    iteration from the run's seed and the iteration.

    mmengine seeds them once when a run starts, so a run resumed from a
    checkpoint draws other numbers (dropout masks, any randomness in the
    model) than the uninterrupted run did after the same iteration. Seeded
    per iteration, both draw the same ones. Data loading keeps its own
    generators: the sampler's, and the loader workers' (seeded by mmengine
    and advanced through the iterations skipped on resume).
    """

    priority = 'VERY_HIGH'

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        seed = ((runner.seed or 0) * 1_000_003 + runner.iter) % 2**32
        random.seed(seed)
        np.random.seed(seed)
        torch.manual_seed(seed)
