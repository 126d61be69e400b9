"""Arguments and config loading shared by ``tools/train.py`` and
``test.py``."""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction


def add_runner_args(parser: argparse.ArgumentParser) -> None:
    """Add ``--work-dir``, ``--cfg-options``, ``--launcher`` and
    ``--local-rank``."""
    parser.add_argument('--work-dir', help='the dir for logs and outputs')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, key=value pairs')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def load_config(args: argparse.Namespace) -> Config:
    """Load ``args.config`` with the overrides of :func:`add_runner_args`.

    The work dir is ``--work-dir``, else the config's, else
    ``work_dirs/<config name>``.
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
    return cfg


def check_pretrained_backbone(cfg: Config, config: str) -> None:
    """Refuse a config whose backbone starts from a local checkpoint that is
    not there, saying how to make it.

    Args:
        cfg: The loaded config.
        config: Its file (named in the message).

    Raises:
        FileNotFoundError: ``model.backbone.init_cfg`` is
            ``dict(type='Pretrained', checkpoint=PATH)`` with a local
            ``PATH`` that does not exist.
    """
    init = cfg.get('model', {}).get('backbone', {}).get('init_cfg')
    if not isinstance(init, dict) or init.get('type') != 'Pretrained':
        return
    path = str(init.get('checkpoint', ''))
    if '://' in path or osp.exists(path):
        return
    raise FileNotFoundError(
        f'{config}: model.backbone.init_cfg loads the pretrained backbone '
        f'{path}, which does not exist; make it with "python '
        f'tools/pretrain_backbone.py {config}" (or point '
        'model.backbone.init_cfg.checkpoint at another one)')
