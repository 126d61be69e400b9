# configs/m2nist_fastscnn.py, read at any digit scale from 1/2 to 8 by what
# it learnt at scale 1: trained exactly as that config (M2NIST, digits of
# scale 1 only), tested as a scale-channel network. The image is also
# segmented shrunk or enlarged by each factor of
# configs/_base_/models/scale_select.py, and each image takes the channel
# most confident about its digits. Costs one forward pass per channel, most
# of them on smaller images; the weights are the plain model's, so its
# checkpoints load as they are.
_base_ = ['./m2nist_fastscnn.py', './_base_/models/scale_select.py']
model = {{_base_.scale_select}}
