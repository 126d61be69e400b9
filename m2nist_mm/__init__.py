"""m2nist_mm: the MNIST family of data sets in MMSegmentation and MMDetection.

Importing the package (e.g. through a config's ``custom_imports``) registers
its data sets, transforms, metrics, models and hooks into the mmseg and
mmdet registries and applies the torch 2.13 compatibility fixes.
"""
import mmcv
import mmdet
import mmengine
import mmseg
from mmengine.utils import digit_version

from . import compat
from .version import __version__

_REQUIRED = dict(mmcv=(mmcv, '2.1.0', '2.2.0'),
                 mmengine=(mmengine, '0.10.0', '1.0.0'),
                 mmseg=(mmseg, '1.2.2', '1.3.0'),
                 mmdet=(mmdet, '3.3.0', '3.4.0'))
for _name, (_mod, _low, _high) in _REQUIRED.items():
    if not (digit_version(_low) <= digit_version(_mod.__version__) <
            digit_version(_high)):
        raise ImportError(f'm2nist_mm needs {_low} <= {_name} < {_high}, '
                          f'found {_mod.__version__}; run tools/install.sh')

compat.apply()

from .datasets import *  # noqa: E402,F401,F403
from .engine import *  # noqa: E402,F401,F403
from .evaluation import *  # noqa: E402,F401,F403
from .models import *  # noqa: E402,F401,F403
from .visualization import *  # noqa: E402,F401,F403

__all__ = ['__version__', 'compat']
