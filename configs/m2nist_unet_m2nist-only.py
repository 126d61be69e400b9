# configs/m2nist_unet.py with no digit outside M2NIST's 4000 training images:
# the classifier learns from their digits alone.
_base_ = './m2nist_unet.py'
# 128 digits per iteration from all the training images in place of MNIST's
# (see configs/m2nist_fastscnn_m2nist-only.py)
model = dict(extra_digits=None, train_digits=128)
