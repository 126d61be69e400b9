# configs/m2nist_unet.py with no digit outside M2NIST's 4000 training images:
# the classifier learns from their digits alone.
_base_ = './m2nist_unet.py'
model = dict(extra_digits=None)
