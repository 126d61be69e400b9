# configs/m2nist_unet.py, read at any digit scale from 1/2 to 8 by what it
# learnt at scale 1, as configs/m2nist_fastscnn_scale-select.py reads
# FastSCNN: trained exactly as the plain config, tested as a scale-channel
# network that reads each image at its most confident channel.
_base_ = ['./m2nist_unet.py', './_base_/models/scale_select.py']
model = {{_base_.scale_select}}
