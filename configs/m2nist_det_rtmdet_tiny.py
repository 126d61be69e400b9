# RTMDet-tiny on M2NIST digits: every digit is an object (classes '0'-'9'),
# its box tight around the ink, derived from the class masks (README,
# "Detection"). Adapted to 64x84 grey images: one input channel, no
# ImageNet weights, BN instead of SyncBN, digit-friendly augmentation (no
# flips, no mosaic/colour jitter), a short AdamW schedule for a 2-core CPU.
# Each box is named by a digit classifier that sees the digit whole
# (DigitNamingRTMDet, trained in the same run, as the segmentors' is): it
# learns from the batch's boxes, from 32 boxes drawn from the whole training
# set each iteration (train_digits, handed over by TrainDigitsHook), and
# from MNIST train digits that no M2NIST validation or test image holds
# (tools/prepare_data.py puts MNIST into data/mnist).
_base_ = ['mmdet::rtmdet/rtmdet_tiny_8xb32-300e_coco.py']
custom_imports = dict(imports=['m2nist_mm.detection'],
                      allow_failed_imports=False)

dataset_type = 'M2NISTDetDataset'
data_root = 'data/m2nist'
norm_cfg = dict(type='BN')
model = dict(
    type='DigitNamingRTMDet',
    digit_classifier=dict(type='mmseg.DigitCNN', width=32),
    crop_repeats=2,
    train_digits=32,
    extra_digits=dict(mnist_root='data/mnist', num=64),
    # RTMDet turns BN into SyncBN under DDP, which needs CUDA
    use_syncbn=False,
    # grey scaled to [0, 1], padded (black) to the size divisor: 64x84 -> 64x96
    data_preprocessor=dict(
        mean=[0.0], std=[255.0], bgr_to_rgb=False, pad_size_divisor=32),
    # strides 4, 8, 16 instead of 8, 16, 32: a '1' is often narrower than
    # 8 px (39 % of them), and RTMDet's assigner only takes prior points
    # inside a box, so at stride 8 many '1's got no positive sample
    backbone=dict(
        type='DigitCSPNeXt',
        in_channels=1,
        out_indices=(1, 2, 3),
        norm_cfg=norm_cfg,
        init_cfg=None),
    neck=dict(in_channels=[48, 96, 192], norm_cfg=norm_cfg),
    bbox_head=dict(
        num_classes=10,
        anchor_generator=dict(strides=[4, 8, 16]),
        norm_cfg=norm_cfg),
    # one box per digit: class-agnostic NMS, so a digit is not also kept as
    # the other digits it resembles (a box of '8' and one of '6' on it)
    test_cfg=dict(
        nms_pre=1000,
        score_thr=0.001,
        nms=dict(type='nms', iou_threshold=0.65, class_agnostic=True),
        # M2NIST images hold at most 3 digits; each box kept is classified
        max_per_img=100))

train_pipeline = [
    dict(type='LoadDigitImage'),
    dict(type='ToGray'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomTranslate', max_shift=(6, 6), prob=0.5),
    dict(type='PackDetInputs'),
]
# LoadImageFromFile first, as DetInferencer and mmdeploy expect (they swap
# it for their loaders, e.g. LoadImageFromNDArray, BGR); the array data sets
# run it as LoadDigitImage. ToGray makes the model input the same either
# way. Resize is a no-op on 64x84 images (scale factor 1) and fits other
# sizes into 84x64.
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ToGray'),
    dict(type='Resize', scale=(84, 64), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_idx', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor', 'instances')),
]
train_dataloader = dict(
    _delete_=True,
    batch_size=32,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        pipeline=train_pipeline))
val_dataloader = dict(
    _delete_=True,
    batch_size=50,
    num_workers=1,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='val',
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = dict(
    val_dataloader, dataset=dict(val_dataloader['dataset'], split='test'))
# COCO mAP against the data set's own instances (no annotation file needed)
val_evaluator = dict(
    _delete_=True, type='CocoMetric', metric='bbox', classwise=True)
test_evaluator = val_evaluator

# 9 epochs of 125 iterations (batch 32): about 20 minutes on 2 CPU cores
max_epochs = 9
base_lr = 0.004
train_cfg = dict(
    _delete_=True,
    type='EpochBasedTrainLoop',
    max_epochs=max_epochs,
    val_interval=3)
optim_wrapper = dict(optimizer=dict(lr=base_lr))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=200),
    dict(type='CosineAnnealingLR', eta_min=base_lr * 0.01, begin=0,
         end=max_epochs, T_max=max_epochs, by_epoch=True,
         convert_to_iter_based=True),
]
custom_hooks = [
    dict(type='EMAHook', ema_type='ExpMomentumEMA', momentum=0.0002,
         update_buffers=True, priority=49),
    dict(type='mmseg.TrainDigitsHook'),
]
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=25),
    checkpoint=dict(
        type='CheckpointHook',
        interval=3,
        max_keep_ckpts=2,
        save_best='coco/bbox_mAP',
        rule='greater'),
    visualization=dict(type='ArrayDetVisualizationHook'))
# readable drawings: 4x enlarged truth | prediction panels with a legend
visualizer = dict(type='DigitDetLocalVisualizer')
env_cfg = dict(dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0)
# --tta of the stock config flips images: a mirrored digit is another shape
tta_model = None
tta_pipeline = None
