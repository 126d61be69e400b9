"""Train a model with an m2nist_mm (mmseg or mmdet) config."""
import argparse
import logging
import sys
from typing import List, Optional

import torch
from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.runner import Runner

from m2nist_mm.utils.cli import (add_runner_args, check_extra_digits,
                                 load_config)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from the given checkpoint, or from the latest one in '
        'the work dir when no path is given')
    parser.add_argument(
        '--amp', action='store_true',
        help='mixed precision: float16 AMP on CUDA, bfloat16 autocast on CPU')
    add_runner_args(parser)
    return parser.parse_args(argv)


def enable_amp(cfg: Config) -> None:
    """Switch ``OptimWrapper`` to the AMP wrapper fit for this machine."""
    amp_type = 'AmpOptimWrapper' if torch.cuda.is_available() else \
        'CPUAmpOptimWrapper'
    current = cfg.optim_wrapper.get('type', 'OptimWrapper')
    if current == amp_type:
        print_log('AMP is already enabled in the config.', logger='current',
                  level=logging.WARNING)
        return
    if current != 'OptimWrapper':
        raise ValueError('--amp needs optim_wrapper.type "OptimWrapper", got '
                         f'{current!r}')
    cfg.optim_wrapper.type = amp_type
    if amp_type == 'AmpOptimWrapper':
        cfg.optim_wrapper.loss_scale = 'dynamic'


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    cfg = load_config(args)
    try:
        check_extra_digits(cfg, args.config)
    except FileNotFoundError as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    if args.amp:
        enable_amp(cfg)
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    Runner.from_cfg(cfg).train()
    return 0


if __name__ == '__main__':
    sys.exit(main())
