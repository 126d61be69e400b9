"""mmdeploy swaps the first test step for LoadImageFromNDArray (BGR input);
the model must get the same input as from the data set."""
import os.path as osp

import cv2
import numpy as np
import torch
from mmcv.transforms import Compose
from mmdeploy.codebase.mmseg.deploy.segmentation import process_model_config
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS, MODELS

from m2nist_mm.datasets.transforms import array_loading
from ..conftest import REPO


def model_input(cfg, pipeline, results):
    data = pseudo_collate([Compose(pipeline)(results)])
    return MODELS.build(cfg.model.data_preprocessor)(data, False)['inputs']


def test_mmdeploy_pipeline_swap_gives_identical_input(tiny_root, tmp_path):
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'm2nist_fastscnn.py'))
    init_default_scope('mmseg')
    ds = DATASETS.build(dict(cfg.test_dataloader.dataset,
                             data_root=tiny_root, index_range=(0, 10)))
    for i in (0, 7):
        info = ds.get_data_info(i)
        # what the data set runs: its arrays through the test pipeline
        expected = model_input(
            cfg, array_loading(cfg.test_pipeline, 'M2NISTDataset'), info)
        bgr = cv2.cvtColor(info['img'], cv2.COLOR_GRAY2BGR)
        swapped = process_model_config(cfg, [bgr])
        assert swapped.test_pipeline[0].type == 'LoadImageFromNDArray'
        got = model_input(cfg, swapped.test_pipeline, dict(img=bgr))
        assert got.dtype == expected.dtype and torch.equal(got, expected)
        png = str(tmp_path / f'{i}.png')
        cv2.imwrite(png, info['img'])
        from_file = process_model_config(cfg, [png])
        assert from_file.test_pipeline[0].type == 'LoadImageFromFile'
        got = model_input(cfg, from_file.test_pipeline, dict(img_path=png))
        assert torch.equal(got, expected)
        assert expected.shape == (1, 1, 64, 96)
        np.testing.assert_allclose(
            expected[0, 0, :, :84].numpy() * 255, info['img'], atol=1e-3)
