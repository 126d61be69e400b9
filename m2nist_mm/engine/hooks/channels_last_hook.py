"""Training in the channels-last memory format."""
import torch
from mmengine.hooks import Hook
from mmseg.registry import HOOKS


@HOOKS.register_module()
class ChannelsLastHook(Hook):
    """Put the model's 4-D weights in channels-last (NHWC) memory format
    before the run starts.

    Convolutions whose weights are channels-last run in that format (the
    input is converted once by the first layer); on x86 CPUs oneDNN's NHWC
    kernels are faster for the small convolutions of these models (1.13x
    FastSCNN, 1.27x UNet a training step; docs/segmentation.md). The
    priority puts it before the EMA hook, which then copies a model already
    in that format. Values are those of the default format up to float
    rounding.
    """

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        runner.model.to(memory_format=torch.channels_last)
