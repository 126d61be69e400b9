"""DigitNamingRTMDet: RTMDet's boxes named by a digit classifier."""
import numpy as np
import pytest
import torch
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

from m2nist_mm import register_all_modules
from m2nist_mm.models.detectors import DigitNamingRTMDet
from ..conftest import model_cfg


def build(**changes) -> DigitNamingRTMDet:
    register_all_modules('det')
    cfg = Config.fromfile(model_cfg('det_rtmdet_tiny'))
    for key, value in changes.items():  # replaced, not merged
        cfg.model[key] = value
    init_default_scope('mmdet')
    torch.manual_seed(0)
    return MODELS.build(cfg.model)


def batch():
    """Two 64x96 inputs (64x84 images) with a '1' and a '7' drawn."""
    inputs = torch.zeros(2, 1, 64, 96)
    inputs[0, 0, 10:26, 20:24] = 1.0
    inputs[1, 0, 30:50, 40:55] = 0.8
    samples = []
    for boxes, labels in (([[20, 10, 24, 26]], [1]), ([[40, 30, 55, 50]],
                                                      [7])):
        sample = DetDataSample(metainfo=dict(
            img_shape=(64, 84), ori_shape=(64, 84), pad_shape=(64, 96),
            batch_input_shape=(64, 96), scale_factor=(1.0, 1.0)))
        sample.gt_instances = InstanceData(
            bboxes=torch.tensor(boxes, dtype=torch.float32),
            labels=torch.tensor(labels))
        samples.append(sample)
    return inputs, samples


def test_config_names_boxes_with_a_classifier():
    model = build(extra_digits=None)
    assert isinstance(model, DigitNamingRTMDet)
    assert type(model.digit_classifier).__name__ == 'DigitCNN'
    assert model.bbox_head.test_cfg.nms.class_agnostic


def test_training_crops_are_the_ink_of_each_box():
    model = build(extra_digits=None, crop_repeats=2)
    inputs, samples = batch()
    crops, classes = model.training_crops(inputs, samples)
    assert classes.tolist() == [1, 7, 1, 7]
    assert crops.shape == (4, 1, 28, 28)
    assert float(crops[0].sum()) == 64 and float(crops[1].sum()) == \
        pytest.approx(0.8 * 300)
    assert torch.equal(crops[:2], crops[2:])


def test_loss_trains_detector_and_classifier():
    model = build(extra_digits=None)
    model.train()
    inputs, samples = batch()
    losses = model.loss(inputs, samples)
    assert {'loss_cls', 'loss_bbox', 'loss_naming', 'acc_naming'} <= set(
        losses)
    total = sum(v.sum() for k, v in losses.items() if 'loss' in k
                for v in (v if isinstance(v, list) else [v]))
    total.backward()
    assert model.digit_classifier.fc[1].weight.grad.abs().sum() > 0
    assert model.bbox_head.rtm_cls[0].weight.grad.abs().sum() > 0


def test_predict_takes_the_classifiers_names(monkeypatch):
    """Each box takes the classifier's most probable digit, and RTMDet's
    score times that probability."""
    model = build(extra_digits=None).eval()
    inputs, samples = batch()
    with torch.no_grad():
        plain = [s.pred_instances for s in super(
            DigitNamingRTMDet, model).predict(inputs, samples)]

    def sevens(crops: np.ndarray) -> np.ndarray:
        probs = np.full((len(crops), 10), 0.05, np.float32)
        probs[:, 7] = 0.55
        return probs

    monkeypatch.setattr(model, 'classify', sevens)
    with torch.no_grad():
        named = [s.pred_instances for s in model.predict(inputs, samples)]
    for p, n in zip(plain, named):
        assert len(n) == len(p) > 0
        assert (n.labels == 7).all()
        assert torch.allclose(n.scores, p.scores * 0.55)
        assert torch.equal(n.bboxes, p.bboxes)


@pytest.mark.parametrize('changes,match', [
    (dict(crop_repeats=0), 'crop_repeats'),
    (dict(extra_digits=dict(num=4)), 'extra_digits'),
    (dict(ink_level=None), 'ink_level'),
])
def test_bad_settings_are_refused(changes, match):
    with pytest.raises(ValueError, match=match):
        build(**changes)
