import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from ..conftest import MNIST_SUBSET, REPO, banned_digits_table, make_m2nist

CONFIGS = ['m2nist_fastscnn.py', 'm2nist_unet.py']


def build(name):
    cfg = Config.fromfile(osp.join(REPO, 'configs', name))
    init_default_scope('mmseg')
    return cfg, MODELS.build(cfg.model)


def batch(n=2):
    imgs, masks = make_m2nist(n)
    samples = []
    for m in masks:
        s = SegDataSample(
            metainfo=dict(img_shape=(64, 84), ori_shape=(64, 84)))
        s.gt_sem_seg = PixelData(data=torch.from_numpy(m[None]).long())
        samples.append(s)
    return dict(
        inputs=[torch.from_numpy(i[None]) for i in imgs], data_samples=samples)


@pytest.mark.parametrize('name', CONFIGS)
def test_config_builds_and_runs(name, tmp_path):
    cfg = Config.fromfile(osp.join(REPO, 'configs', name))
    # the classifier's extra digits: the MNIST subset in the tests
    sources = str(tmp_path / 'sources.csv')
    banned_digits_table(sources)
    cfg.model.extra_digits = dict(mnist_root=MNIST_SUBSET, num=8,
                                  sources=sources)
    init_default_scope('mmseg')
    model = MODELS.build(cfg.model)
    if cfg.model.get('train_digits'):  # what TrainDigitsHook hands over
        assert cfg.default_hooks.train_digits.type == 'TrainDigitsHook'
        model.set_train_digits(
            dict(img=i, gt_seg_map=m)
            for i, m in zip(*make_m2nist(4, seed=1)))
    assert cfg.custom_imports.imports == ['m2nist_mm.segmentation']
    assert cfg.test_pipeline[0].type == 'LoadImageFromFile'
    assert cfg.test_dataloader.dataset.pipeline == cfg.test_pipeline
    assert 'save_best' not in cfg.default_hooks.checkpoint  # the last
    data = model.data_preprocessor(batch(), True)
    assert data['inputs'].shape == (2, 1, 64, 96)  # padded to /32
    model.train()
    losses = model.loss(**data)
    assert all(
        torch.isfinite(v).all() for k, v in losses.items() if 'loss' in k)
    model.eval()
    with torch.no_grad():
        logits = model._forward(data['inputs'])
        assert logits.shape == (2, 11, 64, 96)  # full-resolution logits
        out = model.test_step(batch())
    assert out[0].pred_sem_seg.data.shape == (1, 64, 84)


def test_fastscnn_size_budget():
    _, model = build('m2nist_fastscnn.py')
    params = sum(p.numel() for p in model.parameters())
    assert params <= 2_000_000, params


def test_detail_fast_scnn_global_extractor_options():
    init_default_scope('mmseg')
    cfg = dict(type='DetailFastSCNN', in_channels=1, detail_channels=(8, ))
    stock = MODELS.build(cfg)
    assert len(stock.global_feature_extractor.bottleneck1) == 3
    shallow = MODELS.build(
        dict(
            cfg,
            global_block_strides=(1, 1, 1),
            global_num_blocks=(1, 2, 1),
            global_expand_ratio=4,
            pool_scales=(1, 2, 4)))
    gfe = shallow.global_feature_extractor
    assert [
        len(g) for g in (gfe.bottleneck1, gfe.bottleneck2, gfe.bottleneck3)
    ] == [1, 2, 1]
    assert len(gfe.ppm) == 3
    outs = shallow(torch.zeros(2, 1, 64, 96))
    # higher-res, global (kept at 1/8), fused, then the full-res detail
    assert [tuple(o.shape) for o in outs] == [(2, 64, 8, 12), (2, 128, 8, 12),
                                              (2, 128, 8, 12), (2, 8, 64, 96)]


def test_detection_config_builds_and_runs(tiny_root, tmp_path):
    from mmdet.registry import DATASETS as DET_DATASETS
    from mmdet.registry import MODELS as DET_MODELS
    from mmengine.dataset import pseudo_collate
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'm2nist_det_rtmdet_tiny.py'))
    sources = str(tmp_path / 'sources.csv')
    banned_digits_table(sources)
    cfg.model.extra_digits = dict(mnist_root=MNIST_SUBSET, num=8,
                                  sources=sources)
    assert cfg.custom_imports.imports == ['m2nist_mm.detection']
    assert cfg.test_pipeline[0].type == 'LoadImageFromFile'
    assert cfg.test_dataloader.dataset.pipeline == cfg.test_pipeline
    assert cfg.default_hooks.checkpoint.save_best == 'coco/bbox_mAP'
    assert cfg.model.backbone.init_cfg is None  # no ImageNet download
    init_default_scope('mmdet')
    model = DET_MODELS.build(cfg.model)
    model.init_weights()
    ds = DET_DATASETS.build(
        dict(
            cfg.train_dataloader.dataset,
            data_root=tiny_root,
            index_range=(0, 4)))
    # what TrainDigitsHook hands over
    assert {'type': 'mmseg.TrainDigitsHook'} in cfg.custom_hooks
    model.set_train_digits(ds.get_data_info(i) for i in range(4))
    data = model.data_preprocessor(
        pseudo_collate([ds[i] for i in range(4)]), True)
    assert data['inputs'].shape == (4, 1, 64, 96)
    losses = model.loss(data['inputs'], data['data_samples'])
    assert all(
        torch.isfinite(torch.stack(v) if isinstance(v, list) else v).all()
        for v in losses.values())
