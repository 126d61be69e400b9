"""M2NISTDetDataset: mmdet registration, instances, pipelines."""
import json

import numpy as np
import pytest
from mmdet.registry import DATASETS, TRANSFORMS
from mmengine.config import Config
from mmengine.registry import init_default_scope

from m2nist_core import DataFileError
from m2nist_core.coco import to_coco
from m2nist_core.instances import derive_instances
from m2nist_mm.datasets.m2nist_det import M2NISTDetDataset
from ..conftest import REPO

CFG = f'{REPO}/configs/m2nist_det_rtmdet_tiny.py'


def build(root, **kwargs):
    kwargs.setdefault('index_range', (0, 10))
    return M2NISTDetDataset(data_root=root, **kwargs)


def test_registered_in_mmdet():
    init_default_scope('mmdet')
    assert DATASETS.get('M2NISTDetDataset') is M2NISTDetDataset
    for name in ('LoadDigitImage', 'ToGray', 'RandomTranslate'):
        assert TRANSFORMS.get(name) is not None


def test_instances_are_derived_from_the_masks(tiny_root):
    ds = build(tiny_root)
    assert ds.metainfo['classes'] == tuple('0123456789')
    masks = np.load(f'{tiny_root}/segmented.npy')
    for i in range(10):
        info = ds.get_data_info(i)
        assert info['img'].shape == (64, 84) and info['img_id'] == i
        got = [(a['bbox_label'], tuple(int(v) for v in a['bbox']))
               for a in info['instances']]
        assert got == derive_instances(masks[i]) and got
        for cls, (x1, y1, x2, y2) in got:  # boxes tight around the ink
            ink = info['img'][y1:y2, x1:x2] > 0
            assert ink[0].any() and ink[-1].any()
            assert ink[:, 0].any() and ink[:, -1].any()


def test_ann_file_gives_the_same_instances(tmp_path, tiny_root):
    masks = np.load(f'{tiny_root}/segmented.npy')
    coco = to_coco([derive_instances(m) for m in masks], 0, 'combined.npy',
                   (64, 84))
    (tmp_path / 'ann.json').write_text(json.dumps(coco))
    a = build(tiny_root)
    b = build(tiny_root, ann_file=str(tmp_path / 'ann.json'))
    for i in range(10):
        assert a.get_data_info(i)['instances'] == \
            b.get_data_info(i)['instances']


def test_image_without_digits_is_kept_with_no_instances(tmp_path):
    np.save(tmp_path / 'combined.npy', np.zeros((2, 64, 84), np.uint8))
    np.save(tmp_path / 'segmented.npy', np.full((2, 64, 84), 10, np.uint8))
    ds = build(str(tmp_path), index_range=(0, 2))
    assert len(ds) == 2 and ds.get_data_info(0)['instances'] == []


def test_bad_files_are_named(tmp_path, tiny_root):
    bad = tmp_path / 'bad'
    bad.mkdir()
    with pytest.raises(FileNotFoundError, match='bad/combined.npy'):
        build(str(bad))
    np.save(bad / 'combined.npy', np.zeros((2, 64, 80), np.uint8))
    np.save(bad / 'segmented.npy', np.full((2, 64, 84), 10, np.uint8))
    with pytest.raises(DataFileError, match='combined.npy: images are 64x80'):
        build(str(bad), index_range=(0, 2))
    with pytest.raises(ValueError, match='unknown split'):
        build(tiny_root, split='holdout')


def test_train_pipeline_moves_boxes_with_the_ink(tiny_root):
    init_default_scope('mmdet')
    cfg = Config.fromfile(CFG)
    pipeline = [dict(t) for t in cfg.train_pipeline]
    for t in pipeline:
        if t['type'] == 'RandomTranslate':
            t['prob'] = 1.0
    ds = build(tiny_root, pipeline=pipeline)
    np.random.seed(0)
    for i in range(10):
        sample = ds[i]
        img = sample['inputs'][0].numpy()
        boxes = sample['data_samples'].gt_instances.bboxes.tensor.numpy()
        ys, xs = np.nonzero(img)
        assert boxes[:, 0].min() == xs.min() and boxes[:, 2].max() == \
            xs.max() + 1
        assert boxes[:, 1].min() == ys.min() and boxes[:, 3].max() == \
            ys.max() + 1


def test_test_pipeline_same_input_from_mmdeploy_loader(tiny_root):
    """mmdeploy swaps the loader for LoadImageFromNDArray (3-channel BGR);
    the model input must not change."""
    init_default_scope('mmdet')
    from mmengine.dataset import Compose
    cfg = Config.fromfile(CFG)
    ds = build(tiny_root, test_mode=True, pipeline=cfg.test_pipeline)
    steps = [dict(t) for t in cfg.test_pipeline
             if t['type'] != 'LoadAnnotations']
    steps[0] = dict(type='mmdet.LoadImageFromNDArray')
    swapped = Compose(steps)
    for i in range(3):
        img = ds.get_data_info(i)['img']
        a = ds[i]['inputs']
        b = swapped(dict(img=np.repeat(img[..., None], 3, axis=2)))['inputs']
        assert a.shape == (1, 64, 84)
        np.testing.assert_array_equal(a.numpy(), b.numpy())
