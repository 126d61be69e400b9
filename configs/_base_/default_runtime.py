# Runtime for CPU training: stock mmseg runtime, gloo for DDP, array-aware
# visualisation. The model is the last checkpoint (iter_<max_iters>.pth), at
# the end of the learning-rate decay: the validation split's 1029 digits
# move digit mIoU by a fifth of a point each and cannot rank checkpoints;
# picking the best on it kept earlier, weaker digit classifiers
# (docs/segmentation.md).
_base_ = ['mmseg::_base_/default_runtime.py']
custom_imports = dict(imports=['m2nist_mm.segmentation'],
                      allow_failed_imports=False)
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0)
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook',
        by_epoch=False,
        interval=250,
        max_keep_ckpts=2),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # the random generators seeded per iteration: --resume is exact
    iter_seed=dict(type='IterSeedHook'),
    # NHWC weights: oneDNN's faster kernels on x86 CPUs
    channels_last=dict(type='ChannelsLastHook'),
    # the training set's digits for a classifier with train_digits
    train_digits=dict(type='TrainDigitsHook'),
    visualization=dict(type='ArraySegVisualizationHook'))
# readable drawings (4x enlarged truth | prediction | errors panels with a
# legend), also of the grey images MMSegInferencer is given
visualizer = dict(type='DigitSegLocalVisualizer')
