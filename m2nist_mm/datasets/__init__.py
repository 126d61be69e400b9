from m2nist_runtime.arrays import DataFileError
from .instances import derive_instances
from .m2nist import M2NISTDataset
from .m2nist_det import M2NISTDetDataset
from .mnist_large_scale import (MNISTLargeScaleDataset,
                                MNISTLargeScaleDetDataset)
from .transforms import *  # noqa: F401,F403

__all__ = [
    'DataFileError', 'M2NISTDataset', 'M2NISTDetDataset',
    'MNISTLargeScaleDataset', 'MNISTLargeScaleDetDataset', 'derive_instances'
]
