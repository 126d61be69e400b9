"""tools/train.py, test.py and dist_train.sh with the detection config."""
import glob
import os.path as osp
import pickle
import sys

import cv2
import pytest
from mmengine.config import Config

from ..conftest import REPO
from .test_train_test import TINY_DATA, extra_digits, run, scalars

pytestmark = pytest.mark.slow  # trains or exports models, runs tools

TINY_DET_CFG = TINY_DATA + """train_cfg = dict(max_epochs=2, val_interval=1)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.5, by_epoch=False, begin=0, end=6)
]
default_hooks = dict(checkpoint=dict(interval=1), logger=dict(interval=1))
"""


@pytest.fixture(scope='module')
def det_cfg(tmp_path_factory, tiny_root_module):
    tmp = tmp_path_factory.mktemp('det')
    path = str(tmp / 'tiny_det.py')
    with open(path, 'w') as f:
        f.write(TINY_DET_CFG.format(
            base=osp.join(REPO, 'configs', 'm2nist_det_rtmdet_tiny.py'),
            root=tiny_root_module) + extra_digits(str(tmp)))
    return path


@pytest.fixture(scope='module')
def det_trained(det_cfg, tmp_path_factory):
    work = str(tmp_path_factory.mktemp('det_work'))
    run(sys.executable, 'tools/train.py', det_cfg, '--work-dir', work)
    return work


def test_det_train_writes_checkpoints_and_coco_map(det_trained):
    for name in ('epoch_1.pth', 'epoch_2.pth', 'last_checkpoint'):
        assert osp.exists(osp.join(det_trained, name)), name
    assert glob.glob(osp.join(det_trained, 'best_coco_bbox_mAP_epoch_*.pth'))
    vals = [s for s in scalars(det_trained) if 'coco/bbox_mAP' in s]
    assert [s['step'] for s in vals] == [1, 2]
    dumped = Config.fromfile(osp.join(det_trained, 'tiny_det.py'))
    assert dumped.model.backbone.type == 'DigitCSPNeXt'
    assert dumped.optim_wrapper.type == 'OptimWrapper'


def test_det_test_tool_writes_predictions_and_drawings(det_cfg, det_trained,
                                                       tmp_path):
    out, show = str(tmp_path / 'preds.pkl'), str(tmp_path / 'show')
    proc = run(sys.executable, 'tools/test.py', det_cfg,
               osp.join(det_trained, 'epoch_2.pth'), '--work-dir',
               str(tmp_path / 'w'), '--out', out, '--show-dir', show)
    assert 'coco/bbox_mAP' in proc.stdout + proc.stderr
    with open(out, 'rb') as f:
        preds = pickle.load(f)
    assert [p['img_id'] for p in preds] == [8, 9]
    assert preds[0]['pred_instances']['bboxes'].shape[1] == 4
    drawn = glob.glob(osp.join(show, '**', '*.png'), recursive=True)
    assert len(drawn) == 2 and any('combined_00009' in p for p in drawn)
    # truth | prediction, 4x, titled, over the legend
    assert cv2.imread(drawn[0]).shape == (20 + 256 + 22, 2 * 336 + 4, 3)
    proc = run(sys.executable, 'tools/test.py', det_cfg,
               osp.join(det_trained, 'epoch_2.pth'), '--out',
               str(tmp_path / 'preds.txt'), ok=False)
    assert proc.returncode != 0 and 'a .pkl file' in proc.stderr


def test_det_amp_and_resume(det_cfg, det_trained, tmp_path):
    proc = run(sys.executable, 'tools/train.py', det_cfg, '--work-dir',
               det_trained, '--resume', '--cfg-options',
               'train_cfg.max_epochs=3')
    assert 'resumed epoch: 2' in proc.stdout + proc.stderr
    work = str(tmp_path / 'amp')
    run(sys.executable, 'tools/train.py', det_cfg, '--work-dir', work,
        '--amp', '--cfg-options', 'train_cfg.max_epochs=1')
    dumped = Config.fromfile(osp.join(work, 'tiny_det.py'))
    assert dumped.optim_wrapper.type == 'CPUAmpOptimWrapper'
    assert osp.exists(osp.join(work, 'epoch_1.pth'))


def test_det_dist_train_two_processes(det_cfg, tmp_path):
    work = str(tmp_path / 'ddp')
    proc = run('bash', 'tools/dist_train.sh', det_cfg, '2', '--work-dir',
               work, '--cfg-options', 'train_cfg.max_epochs=1',
               env=dict(PORT='29519'))
    log = proc.stdout + proc.stderr
    assert 'Distributed training: True' in log and 'GPU number: 2' in log
    assert osp.exists(osp.join(work, 'epoch_1.pth'))
