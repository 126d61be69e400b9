from m2nist_runtime.arrays import DataFileError
from .m2nist import M2NISTDataset
from .transforms import *  # noqa: F401,F403

__all__ = ['DataFileError', 'M2NISTDataset']
