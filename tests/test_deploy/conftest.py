"""Checkpoints and exports shared by the deployment tests (made once)."""
import os.path as osp

import numpy as np
import pytest
import torch

from ..conftest import REPO, make_m2nist

DEPLOY_CFGS = osp.join(REPO, 'configs', 'deploy')


def model_cfg(name: str) -> str:
    return osp.join(REPO, 'configs', f'm2nist_{name}.py')


def deploy_cfg(name: str) -> str:
    return osp.join(DEPLOY_CFGS, f'segmentation_{name}.py')


def varied_checkpoint(name: str, path: str) -> str:
    """An untrained model whose predictions vary from pixel to pixel.

    PyTorch's default init gives FastSCNN one class everywhere, which
    would make any agreement check pass; He-normal convs and random BN
    statistics make several classes appear.
    """
    from mmseg.apis import init_model
    torch.manual_seed(0)
    return save_varied(init_model(model_cfg(name), None, 'cpu'), path)


def save_varied(model: torch.nn.Module, path: str) -> str:
    """Save ``model`` with He-normal convs and random BN statistics."""
    with torch.no_grad():
        for mod in model.modules():
            if isinstance(mod, torch.nn.Conv2d):
                torch.nn.init.kaiming_normal_(mod.weight)
            elif isinstance(mod, torch.nn.modules.batchnorm._BatchNorm):
                mod.running_mean.normal_(0, 0.2)
                mod.running_var.uniform_(0.5, 2)
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.normal_(0, 0.2)
    torch.save(dict(state_dict=model.state_dict(), meta={}), path)
    return path


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
