# Fast-SCNN on M2NIST, adapted to 64x84 grey digits: one input channel and a
# full-resolution detail branch + refinement head (the stock head predicts at
# 1/8 resolution, too coarse for 1-px strokes), and a digit classifier that
# names each digit the segmenter finds, whole (DigitNamingEncoderDecoder):
# both train in one run on a 2-core CPU. The classifier also learns from MNIST
# train digits that no M2NIST validation or test image holds (MNIST t10k is
# never read): tools/prepare_data.py puts MNIST into data/mnist.
_base_ = [
    'mmseg::_base_/models/fast_scnn.py',
    './_base_/datasets/m2nist.py',
    './_base_/schedules/m2nist_adamw.py',
    './_base_/default_runtime.py',
]
num_classes = 11
# 2000 iterations of batch 8 (4 epochs; the bases have 3000 of batch 16),
# validation every 250: the full run fits in 10 minutes on a 2-core AVX-512
# CPU. The segmenter only has to find each digit's ink (background IoU 100
# from the first validation on); the classifier needs the iterations: each
# one it sees the batch's digits, 32 drawn from all the training images'
# (train_digits, handed over by TrainDigitsHook) and 64 MNIST digits.
train_cfg = dict(max_iters=2000)
train_dataloader = dict(batch_size=8)
# Validation and checkpoints use an exponential moving average of the weights
# (a window of about 100 iterations, BN statistics included): at this
# learning rate the raw weights swing by several points of digit mIoU from
# one validation to the next.
# The momentum starts at 1 and anneals (max(0.01, 10 / (10 + step))): an
# average over the first, fast-moving iterations is a worse model than any
# of them, and would hide for hundreds of iterations what the model has
# learnt.
custom_hooks = [
    dict(type='EMAHook', ema_type='MomentumAnnealingEMA', momentum=0.01,
         gamma=10, update_buffers=True, priority='ABOVE_NORMAL')
]
# mmseg's FastSCNN base uses BN momentum 0.01: too slow for a short schedule
norm_cfg = dict(type='BN', requires_grad=True, momentum=0.1)
loss = dict(type='CrossEntropyLoss', use_sigmoid=False, avg_non_ignore=True)
# mmseg initialises every classifier (conv_seg) with Normal(std=0.01); on
# M2NIST that keeps the models on a "background everywhere" plateau for
# thousands of iterations, so the heads keep PyTorch's default init.
head_init = None
model = dict(
    type='DigitNamingEncoderDecoder',
    data_preprocessor={{_base_.m2nist_data_preprocessor}},
    digit_classifier=dict(type='DigitCNN', width=32),
    train_digits=32,
    extra_digits=dict(mnist_root='data/mnist', num=64),
    backbone=dict(
        type='DetailFastSCNN',
        in_channels=1,
        detail_channels=(8, 16),
        # global context at 1/8 (8x12 here) with one block per group: the
        # stock 1/32 extractor (a 2x3 map) learns the digit classes slowly.
        global_block_strides=(1, 1, 1),
        global_num_blocks=(1, 1, 1),
        pool_scales=(1, 2, 4),
        norm_cfg=norm_cfg),
    decode_head=dict(
        _delete_=True,
        type='DetailRefineHead',
        in_channels=(128, 16),
        in_index=(2, 3),
        channels=32,
        num_convs=2,
        num_classes=num_classes,
        norm_cfg=norm_cfg,
        align_corners=False,
        init_cfg=head_init,
        loss_decode=dict(loss_weight=1.0, **loss)),
    auxiliary_head=[
        dict(
            type='FCNHead',
            in_channels=in_c,
            channels=32,
            num_convs=1,
            num_classes=num_classes,
            in_index=i,
            norm_cfg=norm_cfg,
            concat_input=False,
            align_corners=False,
            init_cfg=head_init,
            loss_decode=dict(loss_weight=0.4, **loss))
        for i, in_c in ((1, 128), (0, 64))
    ])
# int8 exports (configs/deploy/*int8*) keep the full-resolution detail branch
# in fp32: it tells faint ink (pixel values from 1/255) from background, and
# in int8 about 0.3 % of the pixels, at digit borders, change class.
int8_keep_float = ['backbone.detail_branch']
