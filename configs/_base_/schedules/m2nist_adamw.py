# AdamW, linear warm-up then linear decay over 3000 iterations of batch 16
# (12 epochs of the 4000 training images; at 2000 validation digit mIoU
# still rose by about a point per 250 iterations), validation (and a
# checkpoint) every 250 iterations (one epoch). The decay ends at
# train_cfg.max_iters (PolyLR without `end`), so a config or --cfg-options
# that changes max_iters stretches the schedule with it.
max_iters = 3000
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=4e-3, weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=100),
    dict(type='PolyLR', power=1.0, eta_min=1e-6, by_epoch=False, begin=100),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters,
                 val_interval=250)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
