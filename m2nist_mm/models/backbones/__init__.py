"""Backbones: :mod:`.detail_fast_scnn` (mmseg), :mod:`.digit_cspnext`
(mmdet)."""
