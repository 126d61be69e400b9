# AdamW, linear warm-up then linear decay, 5k iterations of batch 8 (10
# epochs), validation (and a checkpoint) every 250 iterations.
max_iters = 5000
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-3, weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=200),
    dict(type='PolyLR', power=1.0, eta_min=1e-5, by_epoch=False, begin=200,
         end=max_iters),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters,
                 val_interval=250)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
