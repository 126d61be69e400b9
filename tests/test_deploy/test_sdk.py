"""mmdeploy's own SDK (PyPI ``mmdeploy-runtime``) runs the exports exactly."""
import json
import os
import os.path as osp

import numpy as np
import pytest

from m2nist_mm.apis import load_model, torch_detect, torch_predict
from m2nist_mm.deploy import agreement, export, plan
from m2nist_mm.deploy.sdk_client import sdk_detect, sdk_segment
from m2nist_mm.deploy.verify import box_agreement
from ..conftest import model_cfg
from .conftest import DET_CFG, classes_seen, deploy_cfg

pytestmark = pytest.mark.slow  # trains or exports models, runs tools


@pytest.mark.parametrize('backend', ['onnxruntime_static-64x84',
                                     'onnxruntime_dynamic'])
@pytest.mark.parametrize('model', ['fastscnn', 'unet'])
def test_sdk_segmentor_gives_the_pytorch_result(exports, checkpoints, images,
                                                model, backend):
    """The SDK loads the grey image, normalises it and resizes the output
    to the image: the graph pads and crops, so that resize is an
    identity and the pixels are PyTorch's (on an AVX2-only CPU one pixel of
    the untrained FastSCNN, whose logits nearly tie, came out otherwise:
    ONNX Runtime and PyTorch sum in other orders)."""
    preds = sdk_segment(exports(model, backend), images)
    refs = torch_predict(load_model(model_cfg(model), checkpoints[model]),
                         images)
    assert classes_seen(refs) >= 2
    assert [p.shape for p in preds] == [(64, 84)] * len(images)
    assert agreement(preds, refs) >= 99.99


def test_sdk_detector_gives_the_pytorch_boxes(det_export, det_checkpoint,
                                              images):
    preds = sdk_detect(det_export, images)
    refs = torch_detect(load_model(DET_CFG, det_checkpoint), images)
    # named by the untrained classifier, scores are ~1/10 of RTMDet's
    match = box_agreement(preds, refs, score_thr=0.01, score_tol=0.001)
    assert match['matched'] >= 3 * len(images)  # of 56 boxes an image
    assert match['agreement'] >= 99.9


def test_export_reports_the_sdk_check(tmp_path, checkpoints, images):
    result = export(deploy_cfg('onnxruntime_static-64x84'),
                    model_cfg('unet'), checkpoints['unet'], images[0],
                    str(tmp_path), images[1:3])
    assert result['sdk_agreement'] == 100.0
    result = export(deploy_cfg('ncnn_static-64x84'), model_cfg('unet'),
                    checkpoints['unet'], images[0], str(tmp_path / 'n'))
    assert result['sdk_agreement'] is None  # no ncnn in the SDK wheel


def test_export_the_sdk_would_run_wrongly_is_refused(tmp_path, monkeypatch,
                                                     checkpoints, images):
    """SDK meta that pads the input (as a graph without padding needs)
    makes the SDK stretch the padded output over the image: the export's
    own SDK check refuses it and leaves the work dir as it was."""
    original = plan.sdk_preprocess

    def with_pad(deploy_cfg, model_cfg):
        task = original(deploy_cfg, model_cfg)
        task['transforms'].insert(
            2, dict(type='Pad', size_divisor=32, pad_val=0.0))
        return task

    monkeypatch.setattr(plan, 'sdk_preprocess', with_pad)
    (tmp_path / 'keep.txt').write_text('earlier export')
    with pytest.raises(RuntimeError, match=r"mmdeploy's SDK .* agrees with "
                       r'PyTorch on only .* left as it was'):
        export(deploy_cfg('onnxruntime_dynamic'), model_cfg('fastscnn'),
               checkpoints['fastscnn'], images[0], str(tmp_path), images[1:4])
    assert os.listdir(tmp_path) == ['keep.txt']


def test_sdk_meta_has_no_padding_for_segmentors(exports):
    work = exports('fastscnn', 'onnxruntime_dynamic')
    with open(osp.join(work, 'pipeline.json')) as f:
        tasks = json.load(f)['pipeline']['tasks']
    assert [t['type'] for t in tasks[0]['transforms']] == [
        'LoadImageFromFile', 'Normalize', 'ImageToTensor', 'Collect']
    assert tasks[2]['component'] == 'ResizeMask'
    big = np.zeros((100, 130), np.uint8)
    big[:64, :84] = 255
    assert sdk_segment(work, [big])[0].shape == (100, 130)
