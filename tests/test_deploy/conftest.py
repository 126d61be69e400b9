"""Checkpoints and exports shared by the deployment tests (made once)."""
import functools
import os.path as osp

import numpy as np
import pytest

from ..conftest import (REPO, make_m2nist, model_cfg, varied_checkpoint,
                        varied_detector)

DEPLOY_CFGS = osp.join(REPO, 'configs', 'deploy')
#: The least pixel agreement with PyTorch an int8 or bf16 export of the
#: untrained test models must reach: their logits are close together, so
#: rounding flips more pixels than in trained models (docs/benchmarks.md).
#: On x86 CPUs without VNNI (AVX2 only) ONNX Runtime's and OpenVINO's int8
#: convolutions multiply u8 by s8 in 16-bit pairs that can saturate: the
#: untrained FastSCNN agreed on 88.9 % (ONNX Runtime) and 89.1 % (OpenVINO)
#: of the pixels there (they passed 90 % on the AVX-512 VNNI CPUs).
LOW_PRECISION_AGREEMENT = 85.0


def deploy_cfg(name: str) -> str:
    return osp.join(DEPLOY_CFGS, f'segmentation_{name}.py')


@pytest.fixture(scope='session')
def checkpoints(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp('ckpt')
    return {name: varied_checkpoint(name, str(root / f'{name}.pth'))
            for name in ('fastscnn', 'unet')}


@pytest.fixture(scope='session')
def images() -> list:
    """Eight synthetic 64x84 grey digit images."""
    return list(make_m2nist(8, seed=3)[0])


@pytest.fixture(scope='session')
def exports(tmp_path_factory, checkpoints, images) -> dict:
    """``{(model, backend config): work dir}``, exported on first use
    (int8 configs calibrated on the eight images)."""
    from m2nist_mm.deploy import export
    done = {}

    def get(model: str, cfg: str) -> str:
        if (model, cfg) not in done:
            work = str(tmp_path_factory.mktemp(f'{model}_{cfg}'))
            low = 'int8' in cfg or 'bf16' in cfg
            export(deploy_cfg(cfg), model_cfg(model), checkpoints[model],
                   images[0], work, images[1:4],
                   min_agreement=LOW_PRECISION_AGREEMENT if low else 99.9,
                   calib_imgs=images if 'int8' in cfg else None)
            done[model, cfg] = work
        return done[model, cfg]

    return get


def classes_seen(preds: list) -> int:
    return np.unique(np.concatenate([p.ravel() for p in preds])).size


def segmenter_outputs(work: str, model: str, checkpoint: str,
                      images: list) -> tuple:
    """The segmenter's own per-pixel classes, before the digit classifier
    names the digits: the export's graph and PyTorch's ``EncoderDecoder``.
    (Named, an untrained model's digits all take the class its classifier
    prefers for the synthetic blobs, and the ink decides the foreground.)
    """
    from mmseg.models.segmentors import EncoderDecoder

    from m2nist_core.inference import DeployedModel
    from m2nist_mm.apis import load_model, torch_predict
    torch_model = load_model(model_cfg(model), checkpoint)
    torch_model.predict = functools.partial(EncoderDecoder.predict,
                                            torch_model)
    deployed = DeployedModel(work)
    preds = [deployed.labels(deployed.preprocess([img]))[0][:64, :84]
             for img in images]
    return preds, torch_predict(torch_model, images)


DET_CFG = osp.join(REPO, 'configs', 'm2nist_det_rtmdet_tiny.py')
DET_DEPLOY = osp.join(DEPLOY_CFGS, 'detection_onnxruntime_static-64x84.py')


@pytest.fixture(scope='session')
def det_checkpoint(tmp_path_factory) -> str:
    return varied_detector(
        str(tmp_path_factory.mktemp('det') / 'rtmdet.pth'))


@pytest.fixture(scope='session')
def det_export(tmp_path_factory, det_checkpoint, images) -> str:
    from m2nist_mm.deploy import export
    work = str(tmp_path_factory.mktemp('det_ort'))
    result = export(DET_DEPLOY, DET_CFG, det_checkpoint, images[0], work,
                    images[1:4])
    assert result['agreement'] >= 99.9 and result['unit'].startswith('box')
    return work
