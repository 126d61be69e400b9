# configs/m2nist_unet.py with no digit outside M2NIST's 4000 training images:
# the classifier learns from their digits alone.
_base_ = './m2nist_unet.py'
# each digit of the batch four times in place of MNIST's (see
# configs/m2nist_fastscnn_m2nist-only.py)
model = dict(extra_digits=None, crop_repeats=4)
