"""Exact ``--resume`` after a real ``kill -9``: the killed run's own work
dir, with the iterations it trained past its last checkpoint."""
import os
import os.path as osp
import signal
import sys

import pytest

from ..conftest import REPO
from .test_train_test import (RESUME_SCHEDULE, TINY_DATA, WORKER,
                              assert_resumed_exactly, extra_digits, run)

pytestmark = pytest.mark.slow  # trains models

#: A hook that kills its own process with SIGKILL after the training
#: iteration named by $KILL_AFTER_ITER (no clean-up, as ``kill -9``).
KILLER = '''
import os
import signal

from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class KillAfterIterHook(Hook):

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if runner.iter + 1 == int(os.environ.get('KILL_AFTER_ITER', 0)):
            os.kill(os.getpid(), signal.SIGKILL)
'''
KILL_HOOK = """
custom_imports = dict(imports=['m2nist_mm.segmentation', 'kill_hook'],
                      allow_failed_imports=False)
default_hooks.update(
    kill=dict(type='KillAfterIterHook', priority='LOWEST'))  # noqa: F821
"""


def test_resume_after_sigkill_is_exact(tiny_root_module, tmp_path):
    """The shipped config (MNIST extra digits, a loader worker) killed with
    SIGKILL one iteration after its iteration-4 checkpoint and continued
    with ``--resume`` in the same work dir ends with the weights, EMA,
    optimizer and scheduler states and last metrics of the uninterrupted
    run, bit for bit."""
    (tmp_path / 'kill_hook.py').write_text(KILLER)
    cfg = str(tmp_path / 'cfg.py')
    with open(cfg, 'w') as f:
        f.write(TINY_DATA.replace(*WORKER).format(
            base=osp.join(REPO, 'configs', 'm2nist_fastscnn.py'),
            root=tiny_root_module) + extra_digits(str(tmp_path)) +
            RESUME_SCHEDULE + KILL_HOOK)
    env = dict(PYTHONPATH=os.pathsep.join([str(tmp_path),
                                           os.environ['PYTHONPATH']]))
    whole, killed = str(tmp_path / 'whole'), str(tmp_path / 'killed')
    run(sys.executable, 'tools/train.py', cfg, '--work-dir', whole, env=env)
    proc = run(sys.executable, 'tools/train.py', cfg, '--work-dir', killed,
               ok=False, env=dict(env, KILL_AFTER_ITER='5'))
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-3000:]
    with open(osp.join(killed, 'last_checkpoint')) as f:
        assert f.read().strip() == osp.join(killed, 'iter_4.pth')
    assert not osp.exists(osp.join(killed, 'iter_6.pth'))
    proc = run(sys.executable, 'tools/train.py', cfg, '--work-dir', killed,
               '--resume', env=env)
    assert 'resumed epoch: 0, iter: 4' in proc.stdout + proc.stderr

    assert_resumed_exactly(whole, killed)
