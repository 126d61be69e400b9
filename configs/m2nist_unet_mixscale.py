# configs/m2nist_unet.py trained on digits of scales 1-4 mixed, for the
# scale benchmark (benchmarks/scale.py); the pipeline is in
# configs/_base_/datasets/m2nist.py.
_base_ = './m2nist_unet.py'
train_dataloader = dict(
    batch_size=8, dataset=dict(pipeline={{_base_.mixscale_train_pipeline}}))
