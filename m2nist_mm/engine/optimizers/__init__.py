from mmdet.registry import OPTIM_WRAPPERS as DET_OPTIM_WRAPPERS

from .cpu_amp_optimizer_wrapper import CPUAmpOptimWrapper

# registered in mmseg's OPTIM_WRAPPERS where defined; also in mmdet's, for
# `tools/train.py --amp` with detection configs
DET_OPTIM_WRAPPERS.register_module(module=CPUAmpOptimWrapper)

__all__ = ['CPUAmpOptimWrapper']
