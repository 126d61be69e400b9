"""Training in the channels-last memory format."""
import torch
from mmengine.hooks import Hook
from mmseg.registry import HOOKS


@HOOKS.register_module()
class ChannelsLastHook(Hook):
    """Put the model's 4-D weights in channels-last (NHWC) memory format
    before the run starts (faster on x86 CPUs; docs/segmentation.md), before
    the EMA hook copies the model.
    """

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        runner.model.to(memory_format=torch.channels_last)
