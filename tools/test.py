"""Test (evaluate) a checkpoint with an m2nist_mm (mmseg or mmdet) config."""
import argparse
import os
import sys
from typing import List, Optional

from mmengine.config import Config
from mmengine.runner import Runner

from m2nist_mm.utils.cli import add_runner_args, load_config


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--out',
        help='segmentation: dir to write the predicted class-index maps '
        '(PNG); detection: a .pkl file for the predictions (mmdet '
        'DumpDetResults)')
    parser.add_argument('--show', action='store_true',
                        help='show prediction results')
    parser.add_argument('--show-dir', help='dir to write PNG overlays of '
                        'truth and prediction side by side')
    parser.add_argument('--wait-time', type=float, default=2,
                        help='the interval of show (s)')
    add_runner_args(parser)
    return parser.parse_args(argv)


def enable_visualization(cfg: Config, args: argparse.Namespace) -> None:
    """Turn the config's visualization hook on, for every test image."""
    hook = cfg.default_hooks.get('visualization')
    if hook is None:
        raise RuntimeError('--show/--show-dir need a "visualization" entry in '
                           'default_hooks')
    hook['draw'] = True
    hook['interval'] = 1
    if args.show:
        hook['show'] = True
        hook['wait_time'] = args.wait_time
    if args.show_dir:
        cfg.visualizer['save_dir'] = args.show_dir


def add_output(cfg: Config, out: str) -> None:
    """Make the test run also write its predictions to ``out``."""
    if cfg.get('default_scope') == 'mmdet':
        if not out.endswith(('.pkl', '.pickle')):
            raise ValueError(f'--out {out}: a detection config writes its '
                             'predictions to a .pkl file')
        evaluators = cfg.test_evaluator
        if not isinstance(evaluators, list):
            evaluators = [evaluators]
        cfg.test_evaluator = [
            *evaluators, dict(type='DumpDetResults', out_file_path=out)]
    else:
        os.makedirs(out, exist_ok=True)
        cfg.test_evaluator['output_dir'] = out
        cfg.test_evaluator['keep_results'] = True


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    cfg = load_config(args)
    cfg.load_from = args.checkpoint
    if args.show or args.show_dir:
        enable_visualization(cfg, args)
    if args.out is not None:
        add_output(cfg, args.out)
    Runner.from_cfg(cfg).test()
    return 0


if __name__ == '__main__':
    sys.exit(main())
