"""Models: FastSCNN's backbone with a full-resolution detail branch and its
head (mmseg), RTMDet's backbone for one-channel images (mmdet)."""
