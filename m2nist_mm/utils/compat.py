"""Fixes that make the pinned OpenMMLab stack work on torch 2.13.

torch >= 2.6 loads checkpoints with ``weights_only=True``, which rejects the
``HistoryBuffer`` objects (numpy arrays, scalars, ``getattr`` of statistics
methods) mmengine writes. Instead of turning safe loading off, exactly those
types are allow-listed, ``getattr`` is limited to the statistics methods,
and mmengine's local loader keeps ``weights_only=True`` and names the file
it refuses.
"""
import os.path as osp
import pickle
from typing import List, Optional

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner import CheckpointLoader

# numpy 2 moved numpy.core to numpy._core (the name pickles refer to)
_multiarray = np._core.multiarray if np.lib.NumpyVersion(
    np.__version__) >= '2.0.0' else np.core.multiarray


class CheckpointLoadError(RuntimeError):
    """A checkpoint file is refused or unreadable."""


def history_buffer_getattr(obj: object, name: str) -> object:
    """``getattr`` for unpickling, limited to HistoryBuffer's statistics."""
    # the defaults are put in _statistics_methods by the first instance
    allowed = {'min', 'max', 'current', 'mean',
               *HistoryBuffer._statistics_methods}
    if obj is HistoryBuffer and name in allowed:
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'getattr({getattr(obj, "__name__", type(obj).__name__)}, {name!r}) '
        'is not allowed: only HistoryBuffer statistics methods are')


def mmengine_checkpoint_globals() -> List[object]:
    """The non-tensor types found in checkpoints written by mmengine."""
    dtype_classes = [type(np.dtype(t)) for t in (
        np.float64, np.float32, np.float16, np.int64, np.int32, np.int16,
        np.int8, np.uint8, np.bool_)]
    return [
        HistoryBuffer, (history_buffer_getattr, 'builtins.getattr'),
        _multiarray._reconstruct, _multiarray.scalar, np.ndarray, np.dtype,
        *dtype_classes
    ]


def load_local_checkpoint(filename: str,
                          map_location: Optional[str] = None) -> dict:
    """Load a local checkpoint with ``weights_only=True`` and clear errors."""
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    try:
        return torch.load(
            filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        msg = str(e)
        if 'Weights only load failed' not in msg:
            raise CheckpointLoadError(
                f'{filename}: not a valid checkpoint ({msg})') from e
        detail = msg.split('WeightsUnpickler error:', 1)[-1]
        detail = next((line.strip() for line in detail.splitlines()
                       if line.strip()), '').split('. Please use')[0]
        raise CheckpointLoadError(
            f'{filename}: refused by safe loading (weights_only=True): it '
            'holds objects other than tensors and the types mmengine '
            f'checkpoints contain ({detail}). Load only checkpoints you '
            'trust; m2nist_mm never disables safe loading.') from e
    except (RuntimeError, EOFError, OSError, ValueError) as e:
        raise CheckpointLoadError(
            f'{filename}: not a valid or a truncated checkpoint ({e})') from e


def apply() -> None:
    """Allow-list mmengine's types and install the safe local loader."""
    torch.serialization.add_safe_globals(mmengine_checkpoint_globals())
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_local_checkpoint, force=True)
