"""tools/pretrain_backbone.py and m2nist_mm.engine.digit_pretrain: the
backbone learns MNIST digits, and a config loads what the tool wrote."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

from m2nist_core.datagen.sources import read_mnist
from m2nist_mm.engine.digit_pretrain import (CANVAS, DigitClassifier, accuracy,
                                             pretrain, shifted)
from ..conftest import MNIST_SUBSET, REPO, banned_digits_table, load_tool

pretrain_backbone = load_tool('pretrain_backbone')
CONFIG = osp.join(REPO, 'configs', 'm2nist_fastscnn_mnist-extra.py')


def fastscnn_backbone() -> torch.nn.Module:
    init_default_scope('mmseg')
    cfg = Config.fromfile(CONFIG).model.backbone
    cfg.pop('init_cfg', None)
    return MODELS.build(cfg)


def test_shifted_keeps_the_central_box_in_the_canvas():
    digits = np.zeros((3, 28, 28), np.uint8)
    # ink in the central 20x20 box, as in MNIST
    digits[:, 4, 4] = digits[:, 23, 23] = 255
    centred = shifted(digits, None).numpy()
    assert centred.shape == (3, 1, CANVAS, CANVAS)
    assert centred[:, 0, 6, 6].tolist() == [255] * 3  # 2 + 4
    moved = shifted(digits, np.random.default_rng(0)).numpy()
    assert not np.array_equal(moved, centred)
    # the shift never cuts that box
    assert (moved.reshape(3, -1) == 255).sum(1).tolist() == [2, 2, 2]


def test_pretraining_learns_the_digits():
    """On 256 MNIST digits a short pretraining classifies its own training
    digits far above chance (10 %)."""
    torch.manual_seed(0)
    digits, labels = read_mnist(MNIST_SUBSET, 'train')
    model = DigitClassifier(fastscnn_backbone(), 2, 128)
    before = accuracy(model, digits, labels)
    pretrain(model, digits, labels, epochs=12, batch_size=32, seed=0,
             log=lambda _: None)
    after = accuracy(model, digits, labels)
    assert after > max(0.5, before + 0.3), (before, after)


def test_pretrain_refuses_bad_digits():
    model = DigitClassifier(fastscnn_backbone(), 2, 128)
    with pytest.raises(ValueError, match=r'expected \(N, 28, 28\) uint8'):
        pretrain(model, np.zeros((4, 28, 28), np.float32), np.zeros(4),
                 epochs=1)
    with pytest.raises(ValueError, match='expected'):
        pretrain(model, np.zeros((4, 28, 28), np.uint8), np.zeros(3),
                 epochs=1)


def test_tool_writes_the_checkpoint_the_config_loads(tmp_path, capsys):
    sources = str(tmp_path / 'sources.csv')
    banned = banned_digits_table(sources)
    out = str(tmp_path / 'backbone.pth')
    assert pretrain_backbone.main([CONFIG, '--mnist', MNIST_SUBSET, '--out',
                                   out, '--epochs', '1', '--sources',
                                   sources]) == 0
    saved = torch.load(out, weights_only=True)
    meta = saved['meta']
    # the banned digits of the subset are left out of the pretraining
    assert meta['digits'] == 256 - len(banned) and meta['out_index'] == 2
    init_default_scope('mmseg')
    cfg = Config.fromfile(CONFIG).model.backbone
    cfg.init_cfg = dict(type='Pretrained', checkpoint=out)
    backbone = MODELS.build(cfg)
    backbone.init_weights()
    for name, value in backbone.state_dict().items():
        assert torch.equal(value, saved['state_dict'][name]), name
    assert f'-> {out}' in capsys.readouterr().out


def test_tool_errors_name_what_is_wrong(tmp_path, capsys):
    missing = str(tmp_path / 'none')
    assert pretrain_backbone.main([CONFIG, '--mnist', missing, '--out',
                                   str(tmp_path / 'b.pth')]) == 1
    assert missing in capsys.readouterr().err
    plain = osp.join(REPO, 'configs', 'm2nist_fastscnn.py')
    assert pretrain_backbone.main([plain, '--mnist', MNIST_SUBSET]) == 1
    err = capsys.readouterr().err
    assert 'm2nist_fastscnn.py' in err and '--out' in err


def test_m2nist_digits_are_crops_of_the_configs_own_images(tiny_root,
                                                           tmp_path, capsys):
    """``pretrain_digits='m2nist'``: the digits of the training split's
    images (none of MNIST), accuracy on those of the validation split."""
    from m2nist_core.instances import digit_crops
    cfg = tmp_path / 'cfg.py'
    cfg.write_text(
        f"_base_ = ['{osp.join(REPO, 'configs', 'm2nist_fastscnn.py')}']\n"
        "pretrain_digits = 'm2nist'\n"
        f"train_dataloader = dict(dataset=dict(data_root='{tiny_root}', "
        "index_range=(0, 6)))\n"
        f"val_dataloader = dict(dataset=dict(data_root='{tiny_root}', "
        "index_range=(6, 10)))\n")
    out = str(tmp_path / 'b.pth')
    assert pretrain_backbone.main([str(cfg), '--mnist', str(tmp_path / 'no'),
                                   '--out', out, '--epochs', '1']) == 0
    imgs, masks = (np.load(osp.join(tiny_root, f)) for f in
                   ('combined.npy', 'segmented.npy'))
    meta = torch.load(out, weights_only=True)['meta']
    assert meta['source'] == 'm2nist'
    assert meta['digits'] == len(digit_crops(imgs[:6], masks[:6])[1])
    assert f'on {len(digit_crops(imgs[6:], masks[6:])[1])} held-out ' \
        'digits (m2nist)' in capsys.readouterr().out
    cfg.write_text(cfg.read_text() + "pretrain_digits = 'emnist'\n")
    assert pretrain_backbone.main([str(cfg), '--out', out]) == 1
    assert "pretrain_digits='emnist', expected one of ['mnist', 'm2nist']" \
        in capsys.readouterr().err


def test_train_refuses_a_missing_pretrained_backbone(tmp_path, capsys):
    missing = str(tmp_path / 'none.pth')
    train = load_tool('train')
    assert train.main([CONFIG, '--work-dir', str(tmp_path / 'w'),
                       '--cfg-options',
                       f'model.backbone.init_cfg.checkpoint={missing}']) == 1
    err = capsys.readouterr().err
    assert f'pretrained backbone {missing}, which does not exist' in err
    assert f'python tools/pretrain_backbone.py {CONFIG}' in err
