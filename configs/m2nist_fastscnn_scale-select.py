# configs/m2nist_fastscnn.py, read at any digit scale from 1/2 to 8 by what
# it learnt at scale 1: trained exactly as that config (M2NIST, digits of
# scale 1 only), tested as a scale-channel network. The image is also
# segmented shrunk or enlarged by each factor below (half-octave steps: the
# channel at 2^-k/2 reads digits of scale 2^k/2 at scale 1), and each image
# takes the channel most confident about its digits
# (m2nist_mm/models/segmentors/scale_select.py). Costs one forward pass per
# channel, most of them on smaller images; the weights are the plain
# model's, so its checkpoints load as they are.
_base_ = './m2nist_fastscnn.py'
model = dict(
    type='ScaleSelectEncoderDecoder',
    scale_factors=[2.0, 2**0.5, 1.0, 2**-0.5, 0.5, 2**-1.5, 0.25, 2**-2.5,
                   0.125],
    background=10)
