"""Mixed precision on the CPU: bfloat16 autocast (AMX/AVX-512 BF16)."""
from contextlib import contextmanager

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper
from mmseg.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class CPUAmpOptimWrapper(OptimWrapper):
    """Run forward and loss under ``torch.autocast('cpu', bfloat16)``
    (mmengine's ``AmpOptimWrapper`` needs a GPU); no loss scaling is needed,
    and weights, gradients and optimizer state stay float32.
    """

    def __init__(self, dtype: str = 'bfloat16', **kwargs) -> None:
        if dtype not in ('bfloat16', 'float16'):
            raise ValueError('CPUAmpOptimWrapper: dtype must be "bfloat16" '
                             f'or "float16", got {dtype!r}')
        super().__init__(**kwargs)
        self.cast_dtype = getattr(torch, dtype)

    @contextmanager
    def optim_context(self, model: nn.Module):
        with super().optim_context(model), torch.autocast(
                'cpu', dtype=self.cast_dtype):
            yield
