import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner import CheckpointLoader, load_checkpoint

from m2nist_mm.utils.compat import CheckpointLoadError


class Evil:

    def __reduce__(self):
        return (print, ('this would run code',))


def mmengine_like_checkpoint():
    hub = MessageHub.get_instance('m2nist_compat_test')
    for i in range(3):
        hub.update_scalar('train/loss', float(i))
    hub.update_info('iter', 7)
    return dict(
        meta=dict(epoch=0, iter=7, cfg='x = 1', seed=0,
                  dataset_meta=dict(classes=('0', 'background'),
                                    palette=[[1, 2, 3], [0, 0, 0]]),
                  mmengine_version='0.10.7'),
        state_dict={'w': torch.ones(2)},
        message_hub=hub.state_dict(),
        optimizer=torch.optim.SGD([torch.nn.Parameter(torch.ones(1))],
                                  lr=0.1).state_dict(),
        extra=dict(hist=HistoryBuffer([1.0, 2.0], [1, 1]), arr=np.arange(3),
                   scalar=np.float64(0.5), i32=np.int32(1)))


def test_mmengine_checkpoint_loads_with_safe_loading(tmp_path):
    path = tmp_path / 'iter_7.pth'
    torch.save(mmengine_like_checkpoint(), path)
    ckpt = CheckpointLoader.load_checkpoint(str(path), map_location='cpu')
    assert ckpt['meta']['iter'] == 7
    assert isinstance(ckpt['extra']['hist'], HistoryBuffer)
    assert ckpt['message_hub']['log_scalars']['train/loss'].current() == 2.0
    model = torch.nn.Linear(1, 2, bias=False)
    torch.save(dict(state_dict={'weight': torch.zeros(2, 1)}, meta={}), path)
    load_checkpoint(model, str(path))
    assert model.weight.abs().sum() == 0


class Getattr:
    """Pickles as getattr(HistoryBuffer, '__init__')."""

    def __reduce__(self):
        return (getattr, (HistoryBuffer, '__init__'))


def test_getattr_only_reaches_history_buffer_statistics(tmp_path):
    path = tmp_path / 'getattr.pth'
    torch.save(dict(state_dict={}, payload=Getattr()), path)
    with pytest.raises(CheckpointLoadError, match="getattr.pth: .*"
                       "getattr\\(HistoryBuffer, '__init__'\\) is not "
                       'allowed'):
        CheckpointLoader.load_checkpoint(str(path))


def test_other_objects_are_refused_with_the_file_name(tmp_path):
    path = tmp_path / 'evil.pth'
    torch.save(dict(state_dict={}, payload=Evil()), path)
    with pytest.raises(CheckpointLoadError,
                       match=r'evil.pth: refused by safe loading'):
        CheckpointLoader.load_checkpoint(str(path))


def test_safe_loading_stays_on_globally(tmp_path):
    path = tmp_path / 'evil.pth'
    torch.save(Evil(), path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)


def test_truncated_and_missing_checkpoints(tmp_path):
    path = tmp_path / 'cut.pth'
    torch.save(dict(state_dict={'w': torch.ones(1000)}), path)
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(CheckpointLoadError, match='cut.pth: not a valid'):
        CheckpointLoader.load_checkpoint(str(path))
    with pytest.raises(FileNotFoundError, match='none.pth'):
        CheckpointLoader.load_checkpoint(str(tmp_path / 'none.pth'))
