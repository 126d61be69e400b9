"""Generate MNIST Large Scale files (the official HDF5 layout) from MNIST.

    # train/val at scale 1, test at scale 1 (train: MNIST train rows
    # 0-49999, val: 50000-59999, test: t10k)
    python tools/generate_large_scale.py data/mnist_large_scale \\
        --mnist data/mnist
    # train on scales 1-4 (log-uniform), and one test-only file per scale
    python tools/generate_large_scale.py OUT --mnist data/mnist \\
        --train-scales 1 4 --each-test-scale
"""
import argparse
import os
import os.path as osp
import sys
from typing import List, Optional

import numpy as np

from m2nist_core import DataFileError
from m2nist_core.datagen.large_scale import (large_scale_images, official_name,
                                             write_h5)
from m2nist_core.datagen.pools import MNIST_POOLS
from m2nist_core.datagen.scales import SCALES, log_uniform_scales
from m2nist_core.datagen.sources import read_mnist


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('out_dir')
    parser.add_argument('--mnist', required=True,
                        help='folder with the MNIST IDX files')
    parser.add_argument('--train-scales', type=float, nargs=2,
                        default=[1.0, 1.0], metavar=('LO', 'HI'))
    parser.add_argument('--test-scales', type=float, nargs=2,
                        default=[1.0, 1.0], metavar=('LO', 'HI'))
    parser.add_argument('--counts', type=int, nargs=3,
                        default=[50000, 10000, 10000],
                        metavar=('TRAIN', 'VAL', 'TEST'))
    parser.add_argument('--each-test-scale', action='store_true',
                        help='instead: one test-only file per scale 2^(k/4), '
                        'k = -4..12')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args(argv)


def split_images(mnist: dict, split: str, count: int, lo: float, hi: float,
                 rng: np.random.RandomState) -> tuple:
    name, start, stop = MNIST_POOLS[split]
    digits, labels = mnist[name]
    available = min(stop, len(labels)) - start
    if count > available:
        raise ValueError(f'{split}: {count} images asked, the MNIST '
                         f'{name} rows for it hold {available}')
    scales = log_uniform_scales(rng, count, lo, hi)
    rows = slice(start, start + count)
    return large_scale_images(digits[rows], scales), labels[rows]


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    rng = np.random.RandomState(args.seed)
    try:
        mnist = {n: read_mnist(args.mnist, n) for n in ('train', 'test')}
        os.makedirs(args.out_dir, exist_ok=True)
        written = []
        if args.each_test_scale:
            for scale in SCALES:
                x, y = split_images(mnist, 'test', args.counts[2], scale,
                                    scale, rng)
                name = official_name(dict(test=len(y)), (scale, scale),
                                     (scale, scale))
                write_h5(osp.join(args.out_dir, name), dict(test=(x, y)))
                written.append(name)
        else:
            counts = dict(zip(('train', 'val', 'test'), args.counts))
            ranges = dict(train=args.train_scales, val=args.train_scales,
                          test=args.test_scales)
            splits = {s: split_images(mnist, s, n, *ranges[s], rng)
                      for s, n in counts.items() if n}
            name = official_name(counts, tuple(args.train_scales),
                                 tuple(args.test_scales))
            write_h5(osp.join(args.out_dir, name), splits)
            written.append(name)
    except (DataFileError, OSError, ValueError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    print('\n'.join(osp.join(args.out_dir, n) for n in written))
    return 0


if __name__ == '__main__':
    sys.exit(main())
