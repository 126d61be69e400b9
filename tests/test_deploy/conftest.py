"""Checkpoints and exports shared by the deployment tests (made once)."""
import os.path as osp

import numpy as np
import pytest

from ..conftest import REPO, make_m2nist, model_cfg, varied_checkpoint

DEPLOY_CFGS = osp.join(REPO, 'configs', 'deploy')


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
    """``{(model, backend config): work dir}``, exported on first use."""
    from m2nist_mm.deploy import export
    done = {}

    def get(model: str, cfg: str) -> str:
        if (model, cfg) not in done:
            work = str(tmp_path_factory.mktemp(f'{model}_{cfg}'))
            export(deploy_cfg(cfg), model_cfg(model), checkpoints[model],
                   images[0], work, images[1:4])
            done[model, cfg] = work
        return done[model, cfg]

    return get


def classes_seen(preds: list) -> int:
    return np.unique(np.concatenate([p.ravel() for p in preds])).size
