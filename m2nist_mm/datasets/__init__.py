"""Data sets for segmentation (mmseg) and detection (mmdet), and their
transforms; import the module of the side you use: this package imports
neither."""
