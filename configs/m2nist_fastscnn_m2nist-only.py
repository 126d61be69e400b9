# configs/m2nist_fastscnn.py with no digit outside M2NIST's 4000 training
# images: the classifier learns from their digits alone (comparable to
# published M2NIST results).
_base_ = './m2nist_fastscnn.py'
# in place of the 64 MNIST digits per iteration, 128 drawn from the digits
# of all 4000 training images: 128 named fewer digits wrong than 64 on a
# larger validation set (docs/segmentation.md)
model = dict(extra_digits=None, train_digits=128)
