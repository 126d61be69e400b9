"""Data sets: M2NIST and MNIST Large Scale for segmentation
(:mod:`.m2nist`, :mod:`.m2nist_recipe`, :mod:`.mnist_large_scale`,
mmseg) and detection
(:mod:`.m2nist_det`, :mod:`.mnist_large_scale_det`, mmdet); the array
reading they share (:mod:`.m2nist_split`); transforms (:mod:`.transforms`).
Import the module of the side you use: this package imports neither."""
