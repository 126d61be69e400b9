# M2NIST: 64x84 grey images of 1-3 digits, 11 classes ('0'-'9', background).
# Put Kaggle's combined.npy + segmented.npy (or the compact copy) in data_root.
dataset_type = 'M2NISTDataset'
data_root = 'data/m2nist'
meta_keys = ('img_path', 'img_idx', 'ori_shape', 'img_shape', 'pad_shape',
             'scale_factor', 'flip', 'flip_direction', 'reduce_zero_label')
undistorted_train_pipeline = [
    dict(type='LoadDigitImage'),
    dict(type='ToGray'),
    dict(type='RandomTranslate', max_shift=(6, 6), prob=0.5),
    dict(type='PackSegInputs', meta_keys=meta_keys),
]
train_pipeline = [
    *undistorted_train_pipeline[:2],
    # each digit rotated, scaled, sheared and bent on its own (labels stay
    # exact): a trained model's errors are whole digits taken for another
    # digit, and 4000 images hold only about 8000 digits
    dict(type='RandomDigitWarp', prob=0.8, max_rotate=15,
         scale_range=(0.85, 1.15), max_shear=0.25, elastic_alpha=20,
         elastic_sigma=4),
    *undistorted_train_pipeline[2:],
]
# LoadImageFromFile first, as MMSegInferencer, inference_model and mmdeploy
# expect (they swap it for their loaders, e.g. LoadImageFromNDArray, BGR);
# the array data sets run it as LoadDigitImage. ToGray makes the model input
# the same either way.
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ToGray'),
    dict(type='PackSegInputs', meta_keys=meta_keys),
]
train_dataloader = dict(
    batch_size=16,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=50,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='val',
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = dict(
    val_dataloader, dataset=dict(val_dataloader['dataset'], split='test'))
val_evaluator = dict(type='DigitIoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
# Model input: grey scaled to [0, 1], padded (black, like M2NIST's background;
# ignored by the loss) to the networks' size divisor: 64x84 -> 64x96.
m2nist_data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[0.0],
    std=[255.0],
    bgr_to_rgb=False,
    pad_val=0,
    seg_pad_val=255,
    size_divisor=32,
    test_cfg=dict(size_divisor=32))
