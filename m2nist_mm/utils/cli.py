"""Arguments, config loading and CPU distributed set-up shared by the
tools."""
import argparse
import os
import os.path as osp
from typing import Optional

import torch
import torch.distributed as dist
from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope

from .setup_env import import_custom_modules


def add_runner_args(parser: argparse.ArgumentParser) -> None:
    """Add ``--work-dir``, ``--cfg-options``, ``--launcher`` and
    ``--local-rank``."""
    parser.add_argument('--work-dir', help='the dir for logs and outputs')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the config, key=value '
                        'pairs')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'],
                        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def load_config(args: argparse.Namespace) -> Config:
    """Load ``args.config`` with the overrides of :func:`add_runner_args`
    (work dir: ``--work-dir``, else the config's, else ``work_dirs/<config
    name>``), set up for its launcher (:func:`setup_cpu_distributed`).
    """
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    setup_cpu_distributed(cfg, args.launcher)
    return cfg


def tool_config(config: str, cfg_options: Optional[dict] = None) -> Config:
    """Load ``config`` with ``--cfg-options`` merged and its
    ``custom_imports`` imported."""
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    import_custom_modules(cfg)
    return cfg


def raw_dataset(cfg: Config, split: str):
    """The data set of ``cfg``'s ``<split>_dataloader`` without its
    pipeline, built in the config's scope (mmseg or mmdet)."""
    scope = cfg.get('default_scope', 'mmseg')
    init_default_scope(scope)
    if scope == 'mmdet':
        from mmdet.registry import DATASETS
    else:
        from mmseg.registry import DATASETS
    dataset_cfg = cfg[f'{split}_dataloader']['dataset'].copy()
    dataset_cfg['pipeline'] = []
    return DATASETS.build(dataset_cfg)


def setup_cpu_distributed(cfg: Config, launcher: str) -> None:
    """Prepare a torchrun-launched run on a machine without CUDA.

    mmengine's ``init_dist`` calls ``torch.cuda.set_device`` and wraps the
    model with ``device_ids=[LOCAL_RANK]``; both fail without a GPU. Here the
    process group is started with gloo (mmengine then skips its own
    ``init_dist``) and DDP is told (in ``cfg.model_wrapper_cfg``) to keep
    the model on the CPU.

    Raises:
        ValueError: Another launcher without CUDA.
    """
    if launcher == 'none' or torch.cuda.is_available():
        return
    if launcher != 'pytorch':
        raise ValueError(f'launcher {launcher!r} is not supported without '
                         'CUDA; use --launcher pytorch (torchrun)')
    if not dist.is_initialized():
        dist.init_process_group(
            backend='gloo',
            rank=int(os.environ['RANK']),
            world_size=int(os.environ['WORLD_SIZE']))
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel', broadcast_buffers=False)
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper


def check_extra_digits(cfg: Config, config: str) -> None:
    """Refuse a config (loaded from file ``config``) whose digit classifier
    learns from MNIST digits that are not there, saying how to get them.

    Raises:
        FileNotFoundError: ``model.extra_digits.mnist_root`` lacks an MNIST
            file (the train files are trained on; t10k is read only to keep
            the digits of M2NIST's images out).
    """
    from m2nist_core.datagen.sources import mnist_files
    extra = cfg.get('model', {}).get('extra_digits')
    if not extra:
        return
    try:
        for split in ('train', 'test'):
            mnist_files(extra['mnist_root'], split)
    except FileNotFoundError as e:
        raise FileNotFoundError(
            f'{config}: model.extra_digits reads MNIST from '
            f'{extra["mnist_root"]}: {e}; "python tools/prepare_data.py" '
            'puts MNIST there (or train configs/m2nist_fastscnn_m2nist-only'
            '.py, which needs no digit beyond M2NIST)') from None
