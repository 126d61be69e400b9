"""DigitNamingEncoderDecoder: a classifier names each digit whole."""
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from m2nist_core.datagen.sources import read_mnist
from m2nist_core.naming import ink_regions, true_digit_crops
from m2nist_mm.apis import load_model, torch_predict
from m2nist_mm.models.segmentors import DigitNamingEncoderDecoder
from ..conftest import (MNIST_SUBSET, banned_digits_table, make_m2nist,
                        model_cfg, varied_checkpoint)


def build(name: str = 'fastscnn', **changes) -> DigitNamingEncoderDecoder:
    """The config's model with ``changes``; without the training set's
    digits unless ``train_digits`` is given."""
    changes.setdefault('train_digits', None)
    cfg = Config.fromfile(model_cfg(name))
    for key, value in changes.items():  # replaced, not merged
        cfg.model[key] = value
    init_default_scope('mmseg')
    return MODELS.build(cfg.model)


def batch(n: int = 2, seed: int = 0):
    """Normalised inputs and data samples of ``n`` synthetic images."""
    imgs, masks = make_m2nist(n, seed)
    inputs = torch.zeros(n, 1, 64, 96)
    inputs[:, 0, :, :84] = torch.from_numpy(imgs / 255.)
    samples = []
    for mask in masks:
        padded = np.full((64, 96), 255, np.uint8)
        padded[:, :84] = mask
        sample = SegDataSample(metainfo=dict(
            img_shape=(64, 84), ori_shape=(64, 84), pad_shape=(64, 96),
            padding_size=[0, 12, 0, 0]))
        sample.gt_sem_seg = PixelData(
            data=torch.from_numpy(padded)[None].long())
        samples.append(sample)
    return inputs, samples, masks


def test_configs():
    main = Config.fromfile(model_cfg('fastscnn')).model
    assert main.type == 'DigitNamingEncoderDecoder'
    assert main.extra_digits == dict(mnist_root='data/mnist', num=64)
    assert main.train_digits == 32
    only = Config.fromfile(model_cfg('fastscnn_m2nist-only')).model
    assert only.extra_digits is None and only.train_digits == 128
    changed = ('extra_digits', 'train_digits')
    assert {k: v for k, v in only.items() if k not in changed} == {
        k: v for k, v in main.items() if k not in changed}


@pytest.mark.parametrize('extra', [
    dict(num=4), dict(mnist_root='x', num=4, other=1), 'data/mnist'])
def test_bad_extra_digits_are_refused(extra):
    with pytest.raises((ValueError, TypeError), match='extra_digits'):
        build(extra_digits=extra)


def test_training_crops_are_the_true_digits_centred():
    model = build(extra_digits=None)
    inputs, samples, masks = batch()
    crops, classes = model.training_crops(inputs, samples)
    present = [set(np.unique(m[m < 10]).tolist()) for m in masks]
    assert set(classes.tolist()) == set.union(*present)
    assert crops.shape == (len(classes), 1, 28, 28)
    assert float(crops.max()) <= 1 and float(crops.min()) >= 0
    # centred on the centre of ink mass: the middle rows/columns hold ink
    assert (crops[:, 0, 10:18, 10:18].sum((1, 2)) > 0).all()


def test_crop_repeats_repeat_each_true_digit():
    inputs, samples, _ = batch()
    once = build(extra_digits=None, crop_repeats=1).training_crops(
        inputs, samples)
    thrice = build(extra_digits=None, crop_repeats=3).training_crops(
        inputs, samples)
    assert torch.equal(thrice[0], once[0].repeat(3, 1, 1, 1))
    assert torch.equal(thrice[1], once[1].repeat(3))


@pytest.mark.parametrize('repeats', [0, 1.5, '2'])
def test_bad_crop_repeats_are_refused(repeats):
    with pytest.raises(ValueError, match='crop_repeats'):
        build(crop_repeats=repeats)


def test_extra_digits_hold_no_val_test_digit(tmp_path):
    """The extra training digits come from MNIST train rows below 50000
    and none of them is a digit of an M2NIST validation or test image."""
    sources = str(tmp_path / 'sources.csv')
    banned = banned_digits_table(sources)
    model = build(extra_digits=dict(mnist_root=MNIST_SUBSET, num=16,
                                    sources=sources))
    digits, labels = model.extra_pool()
    train, train_labels = read_mnist(MNIST_SUBSET, 'train')
    allowed = [r for r in range(len(train)) if r not in banned]
    assert banned and len(digits) == len(allowed)
    assert np.array_equal(digits.numpy(), train[allowed])
    assert np.array_equal(labels.numpy(), train_labels[allowed])
    banned_pixels = {train[r].tobytes() for r in banned}
    assert not any(d.tobytes() in banned_pixels for d in digits.numpy())
    # a batch's crops: its true digits, then `num` drawn from the pool
    inputs, samples, _ = batch()
    own = model.training_crops(inputs, samples)[1].numel() - 16
    crops, classes = model.training_crops(inputs, samples)
    pool = {d.tobytes() for d in digits.numpy()}
    extra = (crops[own:, 0] * 255).round().to(torch.uint8).numpy()
    assert all(d.tobytes() in pool for d in extra)


@pytest.mark.parametrize('smoothing', [-0.1, 1, '0.1', None])
def test_bad_label_smoothing_is_refused(smoothing):
    with pytest.raises(ValueError, match='label_smoothing'):
        build(label_smoothing=smoothing)


def test_naming_loss_smooths_labels():
    """The classifier's loss is cross-entropy with label smoothing."""
    model = build(extra_digits=None, label_smoothing=0.2)
    crops, classes = torch.rand(4, 1, 28, 28), torch.tensor([0, 3, 5, 9])
    model.crop_augment.update(max_rotate=0, scale_range=(1, 1), max_shear=0,
                              max_shift=0)
    model.eval()  # no dropout: the same logits twice
    logits = model.digit_classifier(crops)
    loss = model.naming_loss(crops, classes)['loss_naming']
    assert torch.allclose(loss, torch.nn.functional.cross_entropy(
        logits, classes, label_smoothing=0.2), atol=1e-5)


@pytest.mark.parametrize('train', [0, 2.5, '64', dict(num=4)])
def test_bad_train_digits_are_refused(train):
    with pytest.raises(ValueError, match='train_digits'):
        build(train_digits=train)


def test_train_digits_are_drawn_from_every_training_image():
    """Each step draws ``num`` crops of the true digits of the whole
    training set, after the batch's own; without them it says how."""
    model = build(extra_digits=None, train_digits=16)
    inputs, samples, _ = batch()
    with pytest.raises(RuntimeError, match='TrainDigitsHook'):
        model.training_crops(inputs, samples)
    imgs, masks = make_m2nist(6, seed=3)
    model.set_train_digits(
        dict(img=i, gt_seg_map=m) for i, m in zip(imgs, masks))
    digits, labels = model.train_pool()
    crops, classes = true_digit_crops(imgs, masks)
    assert len(classes) >= 6
    assert np.array_equal(digits.numpy(), crops)
    assert np.array_equal(labels.numpy(), classes)
    own = build(extra_digits=None).training_crops(inputs, samples)[1].numel()
    crops, classes = model.training_crops(inputs, samples)
    assert len(classes) == own + 16
    pool = {d.tobytes(): c for d, c in zip(digits.numpy(), labels.tolist())}
    drawn = (crops[own:, 0] * 255).round().to(torch.uint8).numpy()
    assert [pool[d.tobytes()] for d in drawn] == classes[own:].tolist()


def test_loss_trains_both_parts():
    model = build(extra_digits=None)
    model.train()
    inputs, samples, _ = batch(4)
    losses = model.loss(inputs, samples)
    assert {'decode.loss_ce', 'loss_naming', 'acc_naming'} <= set(losses)
    total = sum(v for k, v in losses.items() if 'loss' in k)
    total.backward()
    assert model.digit_classifier.fc[1].weight.grad.abs().sum() > 0
    assert model.backbone.learning_to_downsample.conv.conv.weight.grad \
        .abs().sum() > 0


def test_every_digit_gets_one_name(tmp_path):
    """Each digit the segmenter finds takes one class, the classifier's."""
    ckpt = varied_checkpoint('fastscnn', str(tmp_path / 'f.pth'))
    model = load_model(model_cfg('fastscnn'), ckpt)
    imgs = list(make_m2nist(4, seed=5)[0])
    preds = torch_predict(model, imgs)
    for img, pred in zip(imgs, preds):
        fg = pred != 10
        image = img.astype(np.float32) / 255
        labels, digits = model.name(image, fg)
        assert labels[fg].all() and not labels[~fg].any()
        for k, digit in enumerate(digits, 1):
            assert set(np.unique(pred[labels == k])) == {digit.label}
    # a classifier sure of 7 names every digit pixel 7
    with torch.no_grad():
        model.digit_classifier.fc[1].bias.fill_(0)
        model.digit_classifier.fc[1].bias[7] = 100
    for pred in torch_predict(model, imgs):
        assert set(np.unique(pred)) <= {7, 10} and (pred == 7).any()


def test_scores_name_the_ink_regions_the_segmenter_marks():
    model = build(extra_digits=None).eval()
    inputs, samples, _ = batch(2)
    with torch.no_grad():
        metas = [s.metainfo for s in samples]
        logits = model.inference(inputs, metas)
        scores = model.named_scores(inputs, logits, metas)
    assert scores.shape == logits.shape
    for i in range(2):
        fg = (logits[i, :, :, :84].argmax(0) != 10).numpy()
        labels, _ = model.name(inputs[i, 0, :, :84].numpy(), fg)
        named = (scores[i, :, :, :84].argmax(0) != 10).numpy()
        assert np.array_equal(named, labels > 0)
        assert np.array_equal(named, ink_regions(
            inputs[i, 0, :, :84].numpy(), fg))
    assert torch.allclose(scores.sum(1), torch.ones_like(scores[:, 0]),
                          atol=1e-5)
