"""tools/train.py, tools/test.py and tools/dist_train.sh on tiny data."""
import glob
import json
import os
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest
from mmengine.config import Config

from ..conftest import MNIST_SUBSET, REPO, banned_digits_table

pytestmark = pytest.mark.slow  # trains or exports models, runs tools

# the 10 sample images: 6 to train on, 2 to validate, 2 to test
TINY_DATA = """
_base_ = ['{base}']
data_root = '{root}'
loader = dict(batch_size=2, num_workers=0, persistent_workers=False)
train_dataloader = dict(
    **loader, dataset=dict(data_root=data_root, index_range=(0, 6)))
val_dataloader = dict(
    **loader, dataset=dict(data_root=data_root, index_range=(6, 8)))
test_dataloader = dict(
    **loader, dataset=dict(data_root=data_root, index_range=(8, 10)))
"""
TINY_CFG = TINY_DATA + """train_cfg = dict(max_iters=4, val_interval=2)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.5, by_epoch=False, begin=0, end=4)
]
default_hooks = dict(checkpoint=dict(interval=2), logger=dict(interval=1))
"""


#: The extra training digits of a classifier: the MNIST subset less the
#: digits a sources table puts in M2NIST's validation and test images.
EXTRA_DIGITS = """
model = dict(extra_digits=dict(mnist_root='{mnist}', num=4,
                               sources='{sources}'))
"""


def extra_digits(tmp) -> str:
    """:data:`EXTRA_DIGITS` with a sources table written to ``tmp``."""
    sources = osp.join(tmp, 'sources.csv')
    banned_digits_table(sources)
    return EXTRA_DIGITS.format(mnist=MNIST_SUBSET, sources=sources)


def tiny_config(tmp, root, model='m2nist_fastscnn'):
    path = osp.join(tmp, f'tiny_{model}.py')
    base = osp.join(REPO, 'configs', f'{model}.py')
    text = TINY_CFG.format(base=base, root=root)
    if Config.fromfile(base).model.get('extra_digits'):
        text += extra_digits(tmp)
    with open(path, 'w') as f:
        f.write(text)
    return path


def run(*args, ok=True, env=None):
    proc = subprocess.run(
        list(args), cwd=REPO, capture_output=True, text=True, timeout=600,
        env=dict(os.environ, OMP_NUM_THREADS='1', **(env or {})))
    if ok and proc.returncode != 0:
        raise AssertionError(f'{args} failed:\n{proc.stdout[-3000:]}\n'
                             f'{proc.stderr[-5000:]}')
    return proc


def scalars(work_dir):
    path = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                     'scalars.json')))[-1]
    with open(path) as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope='module')
def trained(tmp_path_factory, request):
    tmp = str(tmp_path_factory.mktemp('train'))
    root = request.getfixturevalue('tiny_root_module')
    cfg = tiny_config(tmp, root)
    work = osp.join(tmp, 'work')
    run(sys.executable, 'tools/train.py', cfg, '--work-dir', work)
    return cfg, work, root


def test_train_writes_checkpoints_and_digit_miou(trained):
    _, work, _ = trained
    for name in ('iter_2.pth', 'iter_4.pth', 'last_checkpoint'):
        assert osp.exists(osp.join(work, name)), name
    assert not glob.glob(osp.join(work, 'best_*.pth'))  # the last is it
    vals = [s for s in scalars(work) if 'digit_mIoU' in s]
    assert [s['step'] for s in vals] == [2, 4]
    assert all(0 <= s['digit_mIoU'] <= 100 and 'IoU.7' in s for s in vals)
    dumped = Config.fromfile(osp.join(work, 'tiny_m2nist_fastscnn.py'))
    assert dumped.model.backbone.type == 'DetailFastSCNN'


def test_resume_continues_from_last_checkpoint(trained, tmp_path):
    cfg, work, _ = trained
    proc = run(sys.executable, 'tools/train.py', cfg, '--work-dir', work,
               '--resume', '--cfg-options', 'train_cfg.max_iters=6')
    log = proc.stdout + proc.stderr
    assert 'resumed epoch: 0, iter: 4' in log
    assert osp.exists(osp.join(work, 'iter_6.pth'))
    # resume from an explicit checkpoint and load_from (fine-tuning)
    other = str(tmp_path / 'other')
    proc = run(sys.executable, 'tools/train.py', cfg, '--work-dir', other,
               '--resume', osp.join(work, 'iter_4.pth'))
    assert 'resumed epoch: 0, iter: 4' in proc.stdout + proc.stderr
    proc = run(sys.executable, 'tools/train.py', cfg, '--work-dir',
               str(tmp_path / 'ft'), '--cfg-options',
               f'load_from={osp.join(work, "iter_6.pth")}',
               'train_cfg.max_iters=2')
    assert 'Load checkpoint from' in proc.stdout + proc.stderr


RESUME_SCHEDULE = """
train_cfg = dict(max_iters=8, val_interval=2)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.5, by_epoch=False, begin=0, end=8)
]
default_hooks = dict(checkpoint=dict(interval=2, max_keep_ckpts=10))
"""
WORKER = ('num_workers=0, persistent_workers=False',
          'num_workers=1, persistent_workers=True')


def assert_resumed_exactly(whole: str, resumed: str) -> None:
    """The iteration-8 checkpoints of an uninterrupted and a resumed run
    hold the same weights, EMA, optimizer and scheduler states, and their
    last validations the same metrics, bit for bit."""
    import torch

    def load(work):
        return torch.load(osp.join(work, 'iter_8.pth'), map_location='cpu',
                          weights_only=False)

    a, b = load(whole), load(resumed)
    for key in ('state_dict', 'ema_state_dict'):
        assert a[key].keys() == b[key].keys()
        for name in a[key]:
            assert torch.equal(a[key][name], b[key][name]), (key, name)
    for i, state in a['optimizer']['state'].items():
        for name, value in state.items():
            assert torch.equal(value, b['optimizer']['state'][i][name])
    assert a['param_schedulers'] == b['param_schedulers']
    last = [[s for s in scalars(w) if 'digit_mIoU' in s][-1]
            for w in (whole, resumed)]
    assert last[0]['step'] == 8
    assert {k: v for k, v in last[0].items() if 'time' not in k} == \
        {k: v for k, v in last[1].items() if 'time' not in k}


@pytest.mark.parametrize('track', ['m2nist', 'mnist_extra'])
def test_resume_is_exact(tiny_root_module, tmp_path, track):
    """A run killed after a checkpoint and resumed ends with the weights,
    EMA, optimizer state and metrics of the uninterrupted run, bit for bit
    (data loaded by a worker, as the configs do), on both tracks."""
    import shutil

    path = osp.join(str(tmp_path), 'cfg.py')
    config = 'm2nist_fastscnn' + ('_m2nist-only' if track == 'm2nist' else '')
    text = TINY_DATA.replace(*WORKER).format(
        base=osp.join(REPO, 'configs', f'{config}.py'), root=tiny_root_module)
    if track == 'mnist_extra':
        text += extra_digits(str(tmp_path))
    with open(path, 'w') as f:
        f.write(text + RESUME_SCHEDULE)
    whole, resumed = str(tmp_path / 'whole'), str(tmp_path / 'resumed')
    run(sys.executable, 'tools/train.py', path, '--work-dir', whole)
    # killed right after its iteration-4 checkpoint: what is on disk then
    os.makedirs(resumed)
    shutil.copy(osp.join(whole, 'iter_4.pth'), resumed)
    with open(osp.join(resumed, 'last_checkpoint'), 'w') as f:
        f.write(osp.join(resumed, 'iter_4.pth'))
    run(sys.executable, 'tools/train.py', path, '--work-dir', resumed,
        '--resume')

    assert_resumed_exactly(whole, resumed)


def test_test_tool_writes_metrics_masks_and_overlays(trained, tmp_path):
    cfg, work, _ = trained
    out, show = str(tmp_path / 'out'), str(tmp_path / 'show')
    proc = run(sys.executable, 'tools/test.py', cfg,
               osp.join(work, 'iter_4.pth'), '--work-dir',
               str(tmp_path / 'w'), '--out', out, '--show-dir', show)
    assert 'digit_mIoU' in proc.stdout + proc.stderr
    assert sorted(os.listdir(out)) == ['combined_00008.png',
                                       'combined_00009.png']
    overlays = glob.glob(osp.join(show, '**', '*.png'), recursive=True)
    assert len(overlays) == 2
    assert any('combined_00009' in p for p in overlays)
    # truth | prediction | errors, 4x, titled, over the legend
    assert cv2.imread(overlays[0]).shape == (20 + 256 + 22, 3 * 336 + 8, 3)


def test_analysis_tools_draw_confusion_and_curves(trained, tmp_path):
    """The confusion matrix from a checkpoint and from tools/test.py --out
    agree; the curves come from the work dir; bad inputs are named."""
    cfg, work, _ = trained
    preds = str(tmp_path / 'preds')
    run(sys.executable, 'tools/test.py', cfg, osp.join(work, 'iter_4.pth'),
        '--work-dir', str(tmp_path / 'w'), '--out', preds)
    tool = 'tools/analysis_tools/confusion_matrix.py'
    results = []
    for k, source in enumerate((preds, osp.join(work, 'iter_4.pth'))):
        out = tmp_path / f'analysis{k}'
        proc = run(sys.executable, tool, cfg, source, '--out-dir', str(out))
        assert '2 images (test); digit mIoU' in proc.stdout
        for png in ('confusion_matrix.png', 'class_iou.png'):
            assert cv2.imread(str(out / png)).shape[2] == 3
        with open(out / 'confusion.json') as f:
            results.append(json.load(f))
    assert results[0]['confusion'] == results[1]['confusion']
    assert np.sum(results[0]['confusion']) == 2 * 64 * 84
    os.remove(osp.join(preds, 'combined_00009.png'))
    proc = run(sys.executable, tool, cfg, preds, ok=False)
    assert proc.returncode == 1
    assert 'combined_00009.png: no prediction for this sample' in proc.stderr

    tool = 'tools/analysis_tools/analyze_logs.py'
    png = tmp_path / 'curves.png'
    proc = run(sys.executable, tool, work, '--out', str(png))
    assert 'digit_mIoU' in proc.stdout and cv2.imread(str(png)) is not None
    proc = run(sys.executable, tool, work, '--val-keys', 'IoU.eleven',
               ok=False)
    assert "no validation scalar 'IoU.eleven'; logged: " in proc.stderr
    proc = run(sys.executable, tool, str(tmp_path), ok=False)
    assert 'no <timestamp>/vis_data/scalars.json' in proc.stderr


def test_init_model_and_inference(trained):
    from mmseg.apis import inference_model, init_model
    cfg, work, root = trained
    model = init_model(cfg, osp.join(work, 'iter_4.pth'), device='cpu')
    img = np.load(osp.join(root, 'combined.npy'))[0].astype(np.uint8)
    result = inference_model(model, np.repeat(img[..., None], 3, 2))
    assert result.pred_sem_seg.data.shape == (1, 64, 84)


def test_amp_on_cpu_uses_bf16_wrapper(trained, tmp_path):
    cfg, _, _ = trained
    work = str(tmp_path / 'amp')
    run(sys.executable, 'tools/train.py', cfg, '--work-dir', work, '--amp',
        '--cfg-options', 'train_cfg.max_iters=2')
    dumped = Config.fromfile(osp.join(work, 'tiny_m2nist_fastscnn.py'))
    assert dumped.optim_wrapper.type == 'CPUAmpOptimWrapper'
    assert osp.exists(osp.join(work, 'iter_2.pth'))


def test_missing_data_says_where_to_get_it(tmp_path):
    proc = run(sys.executable, 'tools/train.py',
               'configs/m2nist_unet_m2nist-only.py', '--work-dir',
               str(tmp_path), '--cfg-options',
               f'train_dataloader.dataset.data_root={tmp_path}/none',
               ok=False)
    assert proc.returncode != 0
    assert 'M2NIST file not found' in proc.stderr
    assert 'kaggle.com' in proc.stderr
    # the classifier's MNIST digits, checked before anything is built
    proc = run(sys.executable, 'tools/train.py', 'configs/m2nist_unet.py',
               '--work-dir', str(tmp_path), '--cfg-options',
               f'model.extra_digits.mnist_root={tmp_path}/none', ok=False)
    assert proc.returncode == 1
    assert f'{tmp_path}/none' in proc.stderr and \
        'MNIST file not found' in proc.stderr and \
        'python tools/prepare_data.py' in proc.stderr


def test_unet_trains(tiny_root_module, tmp_path):
    cfg = tiny_config(str(tmp_path), tiny_root_module, 'm2nist_unet')
    run(sys.executable, 'tools/train.py', cfg, '--work-dir',
        str(tmp_path / 'w'), '--cfg-options', 'train_cfg.max_iters=2')
    assert osp.exists(tmp_path / 'w' / 'iter_2.pth')


def test_dist_train_two_processes(tiny_root_module, tmp_path):
    cfg = tiny_config(str(tmp_path), tiny_root_module)
    work = str(tmp_path / 'ddp')
    proc = run('bash', 'tools/dist_train.sh', cfg, '2', '--work-dir', work,
               '--cfg-options', 'train_cfg.max_iters=2',
               env=dict(PORT='29517'))
    log = proc.stdout + proc.stderr
    assert 'Distributed launcher: pytorch' in log
    assert 'Distributed training: True' in log
    assert 'GPU number: 2' in log  # mmengine's name for the world size
    dumped = Config.fromfile(osp.join(work, 'tiny_m2nist_fastscnn.py'))
    assert dumped.model_wrapper_cfg.device_ids is None  # DDP on the CPU
    assert osp.exists(osp.join(work, 'iter_2.pth'))
