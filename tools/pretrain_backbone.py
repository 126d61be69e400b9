"""Pretrain a config's backbone as a digit classifier.

    python tools/pretrain_backbone.py configs/m2nist_fastscnn_mnist-extra.py

Which digits the backbone learns from is the config's ``pretrain_digits``:

- ``'mnist'`` (the default): the MNIST train digits that no M2NIST
  validation or test image holds (rows 0-49999, the pool of the
  extra-digits track; MNIST t10k is never read), accuracy measured on the
  rows 50000-59999 that no M2NIST validation or test image holds;
- ``'m2nist'``: a 28x28 crop around each digit of the config's own training
  images (the digits the masks give, neighbours' ink included), accuracy
  measured on the crops of its validation images.

The backbone's weights are written where the config's
``model.backbone.init_cfg`` loads them from (or to ``--out``).
"""
import argparse
import os
import os.path as osp
import sys
from typing import List, Optional, Tuple

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS, MODELS

import m2nist_mm.segmentation  # noqa: F401  (registers the mmseg modules)
from m2nist_core import DataFileError
from m2nist_core.datagen.pools import m2nist_free_pool
from m2nist_core.instances import digit_crops
from m2nist_mm.engine.digit_pretrain import DigitClassifier, accuracy, pretrain

#: What ``pretrain_digits`` may name.
SOURCES = ('mnist', 'm2nist')
Digits = Tuple[np.ndarray, np.ndarray]


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n'.join(__doc__.splitlines()[2:]))
    parser.add_argument('config', help='a segmentation config')
    parser.add_argument('--mnist', default='data/mnist',
                        help="folder with the four MNIST IDX files (for "
                        "pretrain_digits='mnist')")
    parser.add_argument('--out', help='checkpoint to write (default: the '
                        "config's model.backbone.init_cfg.checkpoint)")
    parser.add_argument('--digits', choices=SOURCES,
                        help="the digits to learn (default: the config's "
                        "pretrain_digits, else 'mnist')")
    parser.add_argument('--epochs', type=float, default=2)
    parser.add_argument('--out-index', type=int, default=-1,
                        help='the backbone output to classify from '
                        "(default: the decode head's first in_index)")
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--sources', help='the M2NIST sources table '
                        '(default: the one shipped with m2nist_core)')
    return parser.parse_args(argv)


def target(cfg: Config, out: Optional[str]) -> str:
    """Where the checkpoint goes: ``out`` or the config's init_cfg."""
    if out:
        return out
    init = cfg.model.backbone.get('init_cfg') or {}
    if not isinstance(init, dict) or init.get('type') != 'Pretrained':
        raise ValueError(f'{cfg.filename}: model.backbone.init_cfg is not '
                         "dict(type='Pretrained', checkpoint=...); give --out")
    return init['checkpoint']


def split_digits(cfg: Config, split: str) -> Digits:
    """Crops of the digits of the config's ``split`` data set."""
    dataset = cfg[f'{split}_dataloader'].dataset.copy()
    dataset.pipeline = []
    dataset = DATASETS.build(dataset)
    if not hasattr(dataset, 'arrays'):
        raise ValueError(f"{cfg.filename}: pretrain_digits='m2nist' crops "
                         f'the digits of an M2NIST-style {split} set, not '
                         f'of a {type(dataset).__name__}')
    return digit_crops(*dataset.arrays())


def pretraining_digits(cfg: Config, source: str,
                       args: argparse.Namespace) -> Tuple[Digits, Digits]:
    """The training and the accuracy digits of ``source``."""
    if source == 'mnist':
        return tuple((pool.digits, pool.labels) for pool in (
            m2nist_free_pool(args.mnist, split, 'val_test',
                             sources=args.sources)
            for split in ('train', 'val')))
    if source == 'm2nist':
        return split_digits(cfg, 'train'), split_digits(cfg, 'val')
    raise ValueError(f'{cfg.filename}: pretrain_digits={source!r}, expected '
                     f'one of {list(SOURCES)}')


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    init_default_scope('mmseg')
    try:
        cfg = Config.fromfile(args.config)
        out = target(cfg, args.out)
        source = args.digits or cfg.get('pretrain_digits', 'mnist')
        (digits, labels), (held, held_labels) = pretraining_digits(
            cfg, source, args)
    except (DataFileError, FileNotFoundError, ValueError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    torch.manual_seed(args.seed)
    backbone_cfg = cfg.model.backbone.copy()
    backbone_cfg.pop('init_cfg', None)
    backbone = MODELS.build(backbone_cfg)
    backbone.init_weights()
    index = args.out_index
    if index < 0:
        in_index = cfg.model.decode_head.in_index
        index = in_index[0] if isinstance(in_index, (list, tuple)) \
            else in_index
    backbone.eval()  # a probe of one image: no batch statistics
    with torch.no_grad():
        channels = backbone(torch.zeros(1, backbone_cfg.in_channels, 32,
                                        32))[index].shape[1]
    pre = cfg.model.data_preprocessor
    model = DigitClassifier(backbone, index, channels, float(pre.mean[0]),
                            float(pre.std[0]))
    print(f'{len(labels)} training digits ({source}), output {index} '
          f'({channels} channels), {args.epochs} epochs')
    minutes = pretrain(model, digits, labels, args.epochs, seed=args.seed)
    print(f'{minutes:.2f} min')
    acc = None
    if len(held_labels):
        acc = accuracy(model, held, held_labels)
        print(f'accuracy {100 * acc:.2f} % on {len(held_labels)} held-out '
              f'digits ({source})')
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    meta = dict(accuracy=acc, minutes=minutes, epochs=args.epochs,
                out_index=index, digits=len(labels), source=source,
                seed=args.seed, config=osp.basename(args.config))
    torch.save(dict(state_dict=backbone.state_dict(), meta=meta), out)
    print(f'-> {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
