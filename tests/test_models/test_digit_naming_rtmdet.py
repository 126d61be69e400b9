"""DigitNamingRTMDet: RTMDet's boxes fitted to the ink and named by a digit
classifier."""
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmdet.registry import DATASETS, MODELS
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

from m2nist_core.naming import fit_boxes
from m2nist_mm import register_all_modules
from m2nist_mm.engine.hooks.train_digits_hook import TrainDigitsHook
from m2nist_mm.models.detectors import DigitNamingRTMDet
from ..conftest import model_cfg


def build(**changes) -> DigitNamingRTMDet:
    """The config's model with ``changes``; without the training set's
    digits unless ``train_digits`` is given."""
    changes.setdefault('train_digits', None)
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


def test_predict_fits_boxes_and_takes_the_classifiers_names(monkeypatch):
    """Each box is fitted to its ink and takes the classifier's most
    probable digit, and RTMDet's score times that probability."""
    model = build(extra_digits=None).eval()
    inputs, samples = batch()
    inputs[0, 0, :40, :60] += 0.3  # ink around the first image's boxes
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
    fitted = [fit_boxes(image[0, :64, :84].numpy(), p.bboxes.numpy())
              for image, p in zip(inputs, plain)]
    for f, n in zip(fitted, named):
        np.testing.assert_array_equal(n.bboxes.numpy(), f)
    assert (fitted[0] != plain[0].bboxes.numpy()).any(1).sum() > 0
    np.testing.assert_array_equal(fitted[1], plain[1].bboxes.numpy())


@pytest.mark.parametrize('changes,match', [
    (dict(crop_repeats=0), 'crop_repeats'),
    (dict(extra_digits=dict(num=4)), 'extra_digits'),
    (dict(ink_level=None), 'ink_level'),
])
def test_bad_settings_are_refused(changes, match):
    with pytest.raises(ValueError, match=match):
        build(**changes)


def test_train_digits_are_the_boxes_of_every_training_image(tiny_root):
    """TrainDigitsHook hands the detector the box crops of a real
    M2NISTDetDataset, the crops training takes of the same boxes."""
    register_all_modules('det')
    init_default_scope('mmdet')
    dataset = DATASETS.build(dict(type='M2NISTDetDataset',
                                  data_root=tiny_root, index_range=(0, 6),
                                  pipeline=[]))
    model = build(extra_digits=None, train_digits=8)
    with pytest.raises(RuntimeError, match='TrainDigitsHook'):
        model.training_crops(*batch())
    TrainDigitsHook().before_train(SimpleNamespace(
        model=model, train_dataloader=SimpleNamespace(dataset=dataset)))
    digits, labels = model.train_pool()
    infos = [dataset.get_data_info(i) for i in range(6)]
    assert labels.tolist() == [i['bbox_label'] for info in infos
                               for i in info['instances']]
    first = infos[0]
    sample = DetDataSample()
    sample.gt_instances = InstanceData(
        bboxes=torch.tensor([i['bbox'] for i in first['instances']]),
        labels=torch.tensor([i['bbox_label'] for i in first['instances']]))
    crops, _ = model.sample_crops(first['img'] / 255.0, sample)
    assert np.allclose(digits[:len(crops)].numpy() / 255.0, crops)
    crops, classes = model.training_crops(*batch())
    # the batch's boxes (crop_repeats times), then the drawn digits
    assert len(classes) == 2 * model.crop_repeats + 8


def test_train_digits_need_box_instances():
    """A data set whose samples carry no instances is refused by name."""
    model = build(extra_digits=None, train_digits=8)
    bare = type('SegOnly', (), {'__len__': lambda self: 1,
                                'get_data_info': lambda self, i: {'img': 0}})()
    with pytest.raises(ValueError, match='SegOnly.*instances'):
        TrainDigitsHook().before_train(SimpleNamespace(
            model=model, train_dataloader=SimpleNamespace(dataset=bare)))
