# configs/m2nist_fastscnn.py with no digit outside M2NIST's 4000 training
# images: the classifier learns from their digits alone (comparable to
# published M2NIST results).
_base_ = './m2nist_fastscnn.py'
model = dict(extra_digits=None)
