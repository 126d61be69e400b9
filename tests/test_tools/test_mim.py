"""mim (OpenMMLab's package manager) trains, tests and runs tools of an
installed m2nist_mm: configs, tools and model-index.yml in m2nist_mm/.mim."""
import os
import os.path as osp
import shutil
import subprocess
import sys
import zipfile

import pytest

from ..conftest import REPO, load_kaggle_sample

pytestmark = pytest.mark.slow  # trains or exports models, runs tools

MIM = osp.join(osp.dirname(sys.executable), 'mim')


@pytest.fixture(scope='module')
def installed(tmp_path_factory):
    """A wheel of this checkout installed into a folder put first on
    PYTHONPATH: what ``pip install m2nist_mm`` gives a user."""
    tmp = tmp_path_factory.mktemp('mim')
    proc = subprocess.run(
        [sys.executable, '-m', 'pip', 'wheel', '--no-deps',
         '--no-build-isolation', '-q', '-w', str(tmp / 'dist'), REPO],
        capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (wheel, ) = (tmp / 'dist').iterdir()
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    for member in ('m2nist_mm/.mim/model-index.yml',
                   'm2nist_mm/.mim/configs/m2nist_fastscnn.py',
                   'm2nist_mm/.mim/configs/metafile.yml',
                   'm2nist_mm/.mim/tools/train.py',
                   'm2nist_mm/.mim/tools/test.py'):
        assert member in names, member
    site = tmp / 'site'
    proc = subprocess.run(
        [sys.executable, '-m', 'pip', 'install', '--no-deps', '-q',
         '--target', str(site), str(wheel)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = tmp / 'data'
    data.mkdir()
    import numpy as np
    imgs, onehot = load_kaggle_sample()
    np.save(data / 'combined.npy', imgs)
    np.save(data / 'segmented.npy', onehot)
    return tmp, str(site), str(data)


def mim(installed, *args):
    tmp, site, _ = installed
    work = tmp / 'elsewhere'  # not the checkout: mim must find the config
    work.mkdir(exist_ok=True)
    env = dict(os.environ, PYTHONPATH=site, OMP_NUM_THREADS='1')
    return subprocess.run([MIM, *args], cwd=work, capture_output=True,
                          text=True, env=env, timeout=600)


def data_options(root):
    loader = 'num_workers=0 persistent_workers=False batch_size=2'.split()
    opts = []
    for split, rng in (('train', '[0,6]'), ('val', '[6,8]'),
                       ('test', '[8,10]')):
        opts += [f'{split}_dataloader.dataset.data_root={root}',
                 f'{split}_dataloader.dataset.index_range={rng}']
        opts += [f'{split}_dataloader.{o}' for o in loader]
    return opts


def test_mim_train_test_and_run(installed, tmp_path):
    tmp, site, data = installed
    work = str(tmp_path / 'work')
    # the M2NIST-only config: the tiny data set has no MNIST beside it
    config = 'm2nist_fastscnn_m2nist-only.py'
    proc = mim(installed, 'train', 'm2nist_mm', config,
               '--gpus', '0', '--work-dir', work, '--cfg-options',
               'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
               'param_scheduler=[]',
               'default_hooks.checkpoint.interval=2', *data_options(data))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert f'{site}/m2nist_mm/.mim/tools/train.py' in proc.stdout
    assert osp.isfile(osp.join(work, 'iter_2.pth'))
    proc = mim(installed, 'test', 'm2nist_mm', config,
               '--checkpoint', osp.join(work, 'iter_2.pth'), '--gpus', '0',
               '--work-dir', str(tmp_path / 'test'), '--cfg-options',
               *data_options(data))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert 'digit_mIoU' in proc.stdout + proc.stderr
    out = str(tmp_path / 'grid.png')
    proc = mim(installed, 'run', 'm2nist_mm', 'browse_dataset',
               osp.join(site, 'm2nist_mm', '.mim', 'configs',
                        'm2nist_fastscnn.py'), '--out', out, '--num', '4',
               '--cfg-options', *data_options(data))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert osp.getsize(out) > 1000
    shutil.rmtree(work)
