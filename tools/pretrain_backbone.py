"""Pretrain a config's backbone as an MNIST digit classifier.

    python tools/pretrain_backbone.py configs/m2nist_fastscnn_mnist-extra.py

The backbone of CONFIG learns the 10 digits from the MNIST train digits
that no M2NIST validation or test image holds (rows 0-49999, the pool of
the extra-digits track; t10k is never read), and the backbone's weights
are written where the config's ``model.backbone.init_cfg`` loads them
from (or to ``--out``). Its accuracy is measured on the MNIST train rows
50000-59999 that no M2NIST validation or test image holds.
"""
import argparse
import os
import os.path as osp
import sys
from typing import List, Optional

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

import m2nist_mm  # noqa: F401  (registers the models)
from m2nist_core import DataFileError
from m2nist_core.datagen.pools import m2nist_free_pool
from m2nist_mm.engine.digit_pretrain import DigitClassifier, accuracy, pretrain


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n'.join(__doc__.splitlines()[2:]))
    parser.add_argument('config', help='a segmentation config')
    parser.add_argument('--mnist', default='data/mnist',
                        help='folder with the four MNIST IDX files')
    parser.add_argument('--out', help='checkpoint to write (default: the '
                        "config's model.backbone.init_cfg.checkpoint)")
    parser.add_argument('--epochs', type=float, default=8)
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


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    try:
        cfg = Config.fromfile(args.config)
        out = target(cfg, args.out)
        train, held = (m2nist_free_pool(args.mnist, split, 'val_test',
                                        sources=args.sources)
                       for split in ('train', 'val'))
    except (DataFileError, FileNotFoundError, ValueError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    init_default_scope('mmseg')
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
    print(f'{len(train.labels)} training digits, output {index} '
          f'({channels} channels), {args.epochs} epochs')
    minutes = pretrain(model, train.digits, train.labels, args.epochs,
                       seed=args.seed)
    print(f'{minutes:.2f} min')
    acc = None
    if len(held.labels):
        acc = accuracy(model, held.digits, held.labels)
        print(f'accuracy {100 * acc:.2f} % on the {len(held.labels)} MNIST '
              'train digits of rows 50000-59999')
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    meta = dict(accuracy=acc, minutes=minutes, epochs=args.epochs,
                out_index=index, digits=len(train.labels), seed=args.seed,
                config=osp.basename(args.config))
    torch.save(dict(state_dict=backbone.state_dict(), meta=meta), out)
    print(f'-> {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
