# Test-time scale channels for an M2NIST segmentor trained at scale 1
# (m2nist_mm/models/segmentors/scale_select.py); the configs
# m2nist_<model>_scale-select.py merge it into their model. Half-octave
# steps from 2 to 1/8: the channel at factor 2^(-k/2) reads digits of scale
# 2^(k/2) at scale 1, for digits of scale 1/2 to 8.
scale_select = dict(
    type='ScaleSelectEncoderDecoder',
    scale_factors=[2.0, 2**0.5, 1.0, 2**-0.5, 0.5, 2**-1.5, 0.25, 2**-2.5,
                   0.125],
    background=10)
