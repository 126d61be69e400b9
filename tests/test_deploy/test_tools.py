"""tools/deploy.py and tools/infer.py from the command line."""
import os
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest

from m2nist_core.inference import DeployedModel
from ..conftest import REPO, model_cfg
from .conftest import deploy_cfg

pytestmark = pytest.mark.slow  # trains or exports models, runs tools

# tools/infer.py with ONNX Runtime or OpenVINO must run where torch and mm*
# are absent
SLIM = ('import runpy, sys\n'
        'for m in ("torch", "mmcv", "mmengine", "mmseg", "mmdet", '
        '"mmdeploy", "m2nist_mm"): sys.modules[m] = None\n'
        'sys.argv = sys.argv[1:]\n'
        'runpy.run_path(sys.argv[0], run_name="__main__")\n')


def run(*args, slim=False):
    cmd = [sys.executable] + (['-c', SLIM] if slim else []) + list(args)
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)


def test_deploy_cli(tmp_path, checkpoints, images):
    cv2.imwrite(str(tmp_path / 'img.png'), images[0])
    np.save(tmp_path / 'more.npy', np.stack(images[1:4]))
    work = tmp_path / 'ort'
    proc = run('tools/deploy.py', deploy_cfg('onnxruntime_static-64x84'),
               model_cfg('unet'), checkpoints['unet'],
               str(tmp_path / 'img.png'), '--test-img',
               str(tmp_path / 'more.npy'), '--work-dir', str(work),
               '--dump-info')
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'agrees with PyTorch on 100.0000 % of the pixels of 4 image' \
        in proc.stdout
    assert "mmdeploy's SDK (mmdeploy_runtime) on it: 100.0000 % of the " \
        'pixels' in proc.stdout
    assert (work / 'pipeline.json').is_file()
    before = (work / 'end2end.onnx').read_bytes()
    proc = run('tools/deploy.py', deploy_cfg('onnxruntime_static-64x84'),
               model_cfg('fastscnn'), checkpoints['unet'],
               str(tmp_path / 'img.png'), '--work-dir', str(work))
    assert proc.returncode == 1
    assert 'error: ' in proc.stderr and 'does not match' in proc.stderr
    assert (work / 'end2end.onnx').read_bytes() == before  # untouched
    proc = run('tools/deploy.py', deploy_cfg('onnxruntime_static-64x84'),
               model_cfg('unet'), checkpoints['unet'],
               str(tmp_path / 'more.npy'), '--work-dir', str(work))
    assert proc.returncode == 1
    assert 'more.npy: IMG must be one image, it holds 3' in proc.stderr


@pytest.fixture
def inputs(tmp_path, images) -> str:
    """A directory with every input kind: PNG, JPG, .npy image and batch."""
    d = tmp_path / 'in'
    d.mkdir()
    cv2.imwrite(str(d / 'a.png'), images[0])
    cv2.imwrite(str(d / 'b.jpg'), images[1])
    np.save(d / 'c.npy', images[2])
    np.save(d / 'd.npy', np.stack(images[3:5]))
    return str(d)


@pytest.mark.parametrize('model,backend,slim', [
    ('fastscnn', 'onnxruntime_static-64x84', True),
    ('unet', 'ncnn_static-64x84', False),
    ('fastscnn', 'openvino-int8_dynamic', True)])
def test_infer_every_input_kind(tmp_path, exports, images, inputs, model,
                                backend, slim):
    work = exports(model, backend)
    outs = {}
    for key, path in (('dir', inputs), ('png', osp.join(inputs, 'a.png')),
                      ('batch', osp.join(inputs, 'd.npy'))):
        outs[key] = tmp_path / key
        proc = run('tools/infer.py', work, path, '--out-dir',
                   str(outs[key]), '--save-npy', '--colour-mask',
                   '--min-pixels', '1', slim=slim)
        assert proc.returncode == 0, proc.stderr[-3000:]
        outs[key, 'stdout'] = proc.stdout
    names = {'dir': ['a', 'b', 'c', 'd_0', 'd_1'], 'png': ['a'],
             'batch': ['d_0', 'd_1']}
    for key, want in names.items():
        assert sorted(f for f in os.listdir(outs[key])
                      if f.endswith('_mask.png')) == \
            [f'{n}_mask.png' for n in want]
    expected = dict(zip(['a', 'c', 'd_0', 'd_1'], DeployedModel(work)(
        [images[0], images[2], *images[3:5]])))
    for key, name in (('dir', 'a'), ('dir', 'c'), ('png', 'a'),
                      ('batch', 'd_0'), ('batch', 'd_1')):
        out, want = outs[key], expected[name]
        mask = cv2.imread(str(out / f'{name}_mask.png'), cv2.IMREAD_UNCHANGED)
        np.testing.assert_array_equal(mask, want)
        np.testing.assert_array_equal(np.load(out / f'{name}.npy'), want)
        # 4x enlarged under a title, over the legend
        assert cv2.imread(str(out / f'{name}_overlay.png')).shape == \
            (20 + 4 * 64 + 22, 4 * 84, 3)
        assert cv2.imread(str(out / f'{name}_colour.png')).shape == \
            (64, 84, 3)
        digits = sorted(int(d) for d in np.unique(want) if d < 10)
        assert f'{name}: digits {digits or "none"} ' in \
            outs[key, 'stdout']
    # each digit as the classifier saw it: crop, name, next two names
    named = DeployedModel(work).predict([images[0]])[0][1]
    line = next(ln for ln in outs['png', 'stdout'].splitlines()
                if ln.startswith('a: '))
    if named:
        assert 'left to right: ' + ', '.join(
            d.describe() for d in named) in line
        assert cv2.imread(str(outs['png'] / 'a_digits.png')).shape[1] >= \
            4 * 28 * len(named)
    assert any(d < 10 for want in expected.values() for d in np.unique(want))


def test_infer_makes_real_images_m2nist_like(tmp_path, exports, images):
    """Dark digits on light paper are inverted (and said so); an image with
    neither a dark nor a light background is refused before any output."""
    work = exports('fastscnn', 'onnxruntime_static-64x84')
    cv2.imwrite(str(tmp_path / 'paper.png'), 255 - images[0])
    proc = run('tools/infer.py', work, str(tmp_path / 'paper.png'),
               '--out-dir', str(tmp_path / 'out'), slim=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'image inverted (dark digits on a light background)' in \
        proc.stdout
    mask = cv2.imread(str(tmp_path / 'out' / 'paper_mask.png'),
                      cv2.IMREAD_UNCHANGED)
    np.testing.assert_array_equal(mask, DeployedModel(work)([images[0]])[0])
    proc = run('tools/infer.py', work, str(tmp_path / 'paper.png'),
               '--out-dir', str(tmp_path / 'raw'), '--invert', 'no',
               slim=True)
    assert proc.returncode == 0 and 'image used as given' in proc.stdout
    noise = np.random.RandomState(0).randint(64, 192, (64, 84))
    cv2.imwrite(str(tmp_path / 'noise.png'), noise.astype(np.uint8))
    proc = run('tools/infer.py', work, str(tmp_path / 'noise.png'),
               '--out-dir', str(tmp_path / 'n'), slim=True)
    assert proc.returncode == 1 and not (tmp_path / 'n').exists()
    assert 'noise.png: neither light digits on a dark background' in \
        proc.stderr


def test_infer_bad_inputs(tmp_path, exports, images):
    work = exports('fastscnn', 'onnxruntime_static-64x84')
    (tmp_path / 'empty').mkdir()
    proc = run('tools/infer.py', work, str(tmp_path / 'empty'), '--out-dir',
               str(tmp_path / 'out'), slim=True)
    assert proc.returncode == 1
    assert 'no .npy or image files' in proc.stderr
    big = np.zeros((100, 130), np.uint8)
    big[:64, :84] = images[0]
    cv2.imwrite(str(tmp_path / 'big.png'), big)
    proc = run('tools/infer.py', work, str(tmp_path / 'big.png'),
               '--out-dir', str(tmp_path / 'out'), slim=True)
    assert proc.returncode == 1
    assert 'big.png: a 100x130 image does not fit' in proc.stderr
    assert not (tmp_path / 'out').exists()
    proc = run('tools/infer.py', str(tmp_path / 'empty'), str(tmp_path),
               slim=True)
    assert proc.returncode == 1 and 'deploy.json not found' in proc.stderr
    (tmp_path / 'in').mkdir()
    cv2.imwrite(str(tmp_path / 'in' / 'x.png'), images[0])
    np.save(tmp_path / 'in' / 'x.npy', images[1])
    proc = run('tools/infer.py', work, str(tmp_path / 'in'), '--out-dir',
               str(tmp_path / 'o'), slim=True)
    assert proc.returncode == 1
    assert 'x.npy and' in proc.stderr and 'x.png would both write' in \
        proc.stderr
    proc = run('tools/infer.py', work, str(tmp_path / 'in' / 'x.png'),
               '--out-dir', str(tmp_path / 'in'), slim=True)
    assert proc.returncode == 1 and 'holds the input' in proc.stderr
