"""Training hooks (channels-last, per-iteration seeds, the training set's
digits for a naming model) and visualization hooks for array data sets:
:mod:`.visualization_hook` (mmseg), :mod:`.det_visualization_hook` (mmdet)."""
