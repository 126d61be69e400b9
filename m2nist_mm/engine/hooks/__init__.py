"""Visualization hooks for array data sets: :mod:`.visualization_hook`
(mmseg), :mod:`.det_visualization_hook` (mmdet)."""
