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
