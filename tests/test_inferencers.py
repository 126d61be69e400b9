"""mmseg's MMSegInferencer and mmdet's DetInferencer run the configs and
checkpoints as they are (files and arrays, visualisation, data samples)."""
import os

import cv2
import numpy as np
import pytest
from mmdet.apis import DetInferencer
from mmseg.apis import MMSegInferencer

from m2nist_mm.apis import load_model, torch_detect, torch_predict
from m2nist_mm.deploy.verify import box_agreement
from .conftest import (REPO, load_kaggle_sample, model_cfg, varied_checkpoint,
                       varied_detector)

pytestmark = pytest.mark.slow  # builds and runs models

DET_CFG = os.path.join(REPO, 'configs', 'm2nist_det_rtmdet_tiny.py')


@pytest.fixture(scope='module')
def images():
    return list(load_kaggle_sample()[0][:4].astype(np.uint8))


@pytest.mark.parametrize('name', ['fastscnn', 'unet'])
def test_mmseg_inferencer(tmp_path, images, name):
    ckpt = varied_checkpoint(name, str(tmp_path / f'{name}.pth'))
    refs = torch_predict(load_model(model_cfg(name), ckpt), images)
    inferencer = MMSegInferencer(model=model_cfg(name), weights=ckpt,
                                 device='cpu')
    cv2.imwrite(str(tmp_path / 'a.png'), images[0])
    out = inferencer(str(tmp_path / 'a.png'), out_dir=str(tmp_path / 'vis'))
    np.testing.assert_array_equal(out['predictions'], refs[0])
    assert os.listdir(tmp_path / 'vis' / 'vis') == ['a.png']
    # grey arrays (drawn too) and BGR arrays give the same maps
    out = inferencer(images[1:], out_dir=str(tmp_path / 'grey'))
    for pred, ref in zip(out['predictions'], refs[1:]):
        np.testing.assert_array_equal(pred, ref)
    assert len(os.listdir(tmp_path / 'grey' / 'vis')) == 3
    samples = inferencer([cv2.cvtColor(i, cv2.COLOR_GRAY2BGR)
                          for i in images], return_datasamples=True)
    for sample, ref in zip(samples, refs):
        np.testing.assert_array_equal(sample.pred_sem_seg.data[0].numpy(),
                                      ref)


def test_det_inferencer(tmp_path, images):
    ckpt = varied_detector(str(tmp_path / 'rtmdet.pth'))
    refs = torch_detect(load_model(DET_CFG, ckpt), images)
    inferencer = DetInferencer(model=DET_CFG, weights=ckpt, device='cpu')
    cv2.imwrite(str(tmp_path / 'a.png'), images[0])
    for inputs in (str(tmp_path / 'a.png'), images[0],
                   cv2.cvtColor(images[0], cv2.COLOR_GRAY2BGR)):
        out = inferencer(inputs, out_dir=str(tmp_path / 'vis'))
        pred = {k: np.asarray(v) for k, v in out['predictions'][0].items()}
        # named by the untrained classifier, scores are ~1/10 of RTMDet's
        match = box_agreement([pred], refs[:1], score_thr=0.01,
                              score_tol=0.001)
        assert match['matched'] >= 3 and match['agreement'] == 100.0
    assert os.listdir(tmp_path / 'vis' / 'vis')
    samples = inferencer(images, return_datasamples=True)['predictions']
    assert len(samples) == 4 and all(
        len(s.pred_instances) > 0 for s in samples)
