# configs/m2nist_unet.py trained on digits of scales 1-4 mixed (the scale
# benchmark, tools/benchmark_scale.py): each training image is rescaled by a
# factor drawn log-uniformly in [1, 4], as the generator would draw it at
# that scale, then cropped to 96x128. Batch 8 of 96x128 crops: the same
# pixels per iteration as batch 16 of 64x96 (training time stays the same).
_base_ = './m2nist_unet.py'
crop_size = (96, 128)
train_pipeline = [
    dict(type='LoadDigitImage'),
    dict(type='ToGray'),
    dict(type='RandomTranslate', max_shift=(6, 6), prob=0.5),
    dict(type='RandomDigitScale', scale_range=(1.0, 4.0)),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='PackSegInputs', meta_keys={{_base_.meta_keys}}),
]
train_dataloader = dict(batch_size=8, dataset=dict(pipeline=train_pipeline))
