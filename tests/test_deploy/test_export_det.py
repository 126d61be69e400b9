"""Exporting the detector to ONNX Runtime (NMS in the graph) and running it."""
import json
import os.path as osp

import cv2
import numpy as np
import pytest

from m2nist_core.inference import DeployedDetector, load_export
from m2nist_mm.apis import load_model, torch_detect
from m2nist_mm.deploy import export
from m2nist_mm.deploy.verify import box_agreement
from ..conftest import REPO
from .conftest import DEPLOY_CFGS, DET_CFG, DET_DEPLOY, deploy_cfg
from .test_tools import run

pytestmark = pytest.mark.slow  # trains or exports models, runs tools


def test_export_writes_sdk_files_and_matches_pytorch(det_export, images,
                                                     det_checkpoint):
    deploy = json.load(open(osp.join(det_export, 'deploy.json')))
    assert deploy['task'] == 'Detector'
    assert deploy['models'][0]['input_shape'] == [1, 1, 64, 96]
    tasks = json.load(open(osp.join(det_export, 'pipeline.json')))[
        'pipeline']['tasks']
    assert [t['type'] for t in tasks[0]['transforms']][:3] == [
        'LoadImageFromFile', 'Resize', 'Normalize']
    model = load_model(DET_CFG, det_checkpoint)
    ref = torch_detect(model, images)
    preds = DeployedDetector(det_export)(images)
    # named by the untrained classifier, scores are ~1/10 of the graph's
    match = box_agreement(preds, ref, score_thr=0.01, score_tol=0.001)
    # class-agnostic NMS leaves this untrained model 56 boxes an image
    assert match['matched'] >= 3 * len(images)
    assert match['agreement'] >= 99.9
    assert isinstance(load_export(det_export), DeployedDetector)


def largest_overlap(dets: dict) -> float:
    """The largest IoU between two boxes of one image, whatever their
    classes."""
    boxes = dets['bboxes']
    lt = np.maximum(boxes[:, None, :2], boxes[None, :, :2])
    rb = np.minimum(boxes[:, None, 2:], boxes[None, :, 2:])
    inter = np.prod(np.clip(rb - lt, 0, None), axis=2)
    area = np.prod(boxes[:, 2:] - boxes[:, :2], axis=1)
    iou = inter / np.maximum(area[:, None] + area[None] - inter, 1e-9)
    np.fill_diagonal(iou, 0)
    return float(iou.max(initial=0))


def test_one_box_per_object(det_export, images, det_checkpoint):
    """The config's class-agnostic NMS: no two boxes, of any classes,
    overlap more than its IoU threshold, in PyTorch and in the export;
    per-class NMS on the same model keeps boxes of other digits on a box."""
    model = load_model(DET_CFG, det_checkpoint)
    nms = model.bbox_head.test_cfg.nms
    assert nms.class_agnostic
    for preds in (torch_detect(model, images[:8]),
                  DeployedDetector(det_export)(images[:8])):
        assert max(map(largest_overlap, preds)) <= nms.iou_threshold + 1e-4
    nms.class_agnostic = False
    per_class = torch_detect(model, images[:8])
    assert max(map(largest_overlap, per_class)) > 0.9


def test_other_sizes_are_resized_like_the_test_pipeline(det_export, images,
                                                        det_checkpoint):
    small = [cv2.resize(img, (42, 32), interpolation=cv2.INTER_AREA)
             for img in images[:3]]
    model = load_model(DET_CFG, det_checkpoint)
    preds = DeployedDetector(det_export)(small)
    assert box_agreement(preds, torch_detect(model, small), score_thr=0.01,
                         score_tol=0.001)['agreement'] >= 99.9
    assert max(p['bboxes'][:, 2].max() for p in preds) <= 42
    with pytest.raises(ValueError, match='exported for 64x96 input'):
        DeployedDetector(det_export)([np.zeros((64, 64), np.uint8)])


def test_infer_draws_boxes_without_torch(tmp_path, det_export, images):
    cv2.imwrite(str(tmp_path / 'a.png'), images[0])
    out = tmp_path / 'out'
    proc = run('tools/infer.py', det_export, str(tmp_path / 'a.png'),
               '--out-dir', str(out), '--score-thr', '0.05', slim=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert cv2.imread(str(out / 'a_boxes.png')).shape == (298, 336, 3)
    dets = json.load(open(out / 'a.json'))
    assert len(dets['bboxes']) == len(dets['labels']) > 0
    assert min(dets['scores']) >= 0.05
    assert 'a: digits left to right: ' in proc.stdout


NCNN_DET = f"""_base_ = ['{DEPLOY_CFGS}/_base_/detection_static.py',
             '{DEPLOY_CFGS}/_base_/backends/ncnn.py']
"""


@pytest.mark.parametrize('deploy,model,match', [
    ('ncnn_det.py', DET_CFG, 'backend ncnn is not supported for '
     'ObjectDetection'),
    (deploy_cfg('onnxruntime_static-64x84'), DET_CFG, 'no model.decode_head'),
    (DET_DEPLOY, osp.join(REPO, 'configs', 'm2nist_unet.py'),
     'no model.bbox_head'),
])
def test_mismatched_configs_are_refused(tmp_path, det_checkpoint, images,
                                        deploy, model, match):
    if deploy == 'ncnn_det.py':
        deploy = str(tmp_path / deploy)
        with open(deploy, 'w') as f:
            f.write(NCNN_DET)
    with pytest.raises(ValueError, match=match):
        export(deploy, model, det_checkpoint, images[0], str(tmp_path))
