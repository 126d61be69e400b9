"""Generate M2NIST (or an MNIST-extended variant) from raw MNIST digits.

    # the real M2NIST, byte for byte, from Kaggle's Digit Recognizer train.csv
    python tools/generate_m2nist.py data/m2nist --kaggle-csv train.csv
    # the same recipe over MNIST: train/val/test digits from separate files
    python tools/generate_m2nist.py data/m2nist_mnist --mnist data/mnist \\
        --splits train=4000 val=500 test=500
    # MNIST-extended style: 60x60, 2-4 digits anywhere, IoU <= 0.2
    python tools/generate_m2nist.py data/mnist_ext --mnist data/mnist \\
        --img-shape 60 60 --min-digits 2 --max-digits 4 \\
        --placement random --max-overlap 0.2
    # held-out images: the recipe over t10k digits that no M2NIST image holds
    python tools/generate_m2nist.py data/heldout --mnist data/mnist \\
        --splits test=1000 --seed 2026 --avoid-m2nist all

Writes combined.npy, segmented.npy, digits.csv, annotations/instances.json
and generator.json (docs/data.md).
"""
import argparse
import sys
import time
from typing import Dict, List, Optional

from m2nist_core import DataFileError
from m2nist_core.datagen import (GenerationError, GeneratorOptions,
                                 generate_dataset)
from m2nist_core.datagen.pools import (AVOID, MNIST_POOLS, csv_pool,
                                       m2nist_free_pool, mnist_pools)


def split_counts(specs: List[str]) -> Dict[str, int]:
    """``['train=4000', ...]`` -> ``{'train': 4000, ...}``."""
    out = {}
    for spec in specs:
        name, _, value = spec.partition('=')
        if name not in MNIST_POOLS or not value.isdigit():
            raise ValueError(f'--splits: {spec!r} is not SPLIT=COUNT with '
                             f'SPLIT in {list(MNIST_POOLS)}')
        out[name] = int(value)
    return out


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('out_dir', help='folder to write into')
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument('--kaggle-csv', help="Kaggle Digit Recognizer train.csv")
    src.add_argument('--mnist', help='folder with the MNIST IDX files')
    parser.add_argument('--num-images', type=int, default=5000,
                        help='images from --kaggle-csv (default 5000)')
    parser.add_argument('--splits', nargs='+',
                        default=['train=4000', 'val=500', 'test=500'],
                        help='images per split from --mnist (train: MNIST '
                        'train rows 0-49999, val: 50000-59999, test: t10k)')
    parser.add_argument('--avoid-m2nist', choices=list(AVOID),
                        help='with --mnist: draw no digit of the real '
                        "M2NIST's validation and test images (val_test) or "
                        'of any of its images (all), by the sources table '
                        'shipped with m2nist_core')
    parser.add_argument('--seed', type=int, default=1234)
    parser.add_argument('--layout', choices=['compact', 'kaggle'],
                        default='compact')
    parser.add_argument('--dtype', help="array dtype of layout 'kaggle' "
                        "(Kaggle's own files are int64; default uint8, "
                        'float32 with --soft)')
    opts = parser.add_argument_group('generator options')
    opts.add_argument('--img-shape', type=int, nargs=2, default=[64, 84],
                      metavar=('H', 'W'))
    opts.add_argument('--min-digits', type=int, default=2)
    opts.add_argument('--max-digits', type=int, default=3)
    opts.add_argument('--num-classes', type=int, default=10)
    opts.add_argument('--placement', default='m2nist',
                      help="'m2nist' (the published recipe) or 'random'")
    opts.add_argument('--max-overlap', type=float,
                      help="largest overlap of two digits' boxes "
                      "(placement 'random')")
    opts.add_argument('--overlap-rule', default='iou',
                      help="'iou', or 'mnist_extended' (intersection / sum "
                      "of areas, MNIST-extended's max_iou)")
    opts.add_argument('--overlapping-labels', action='store_true',
                      help='a pixel may belong to several classes')
    opts.add_argument('--soft', action='store_true',
                      help='targets are ink intensities in [0, 1]')
    opts.add_argument('--whole-box', action='store_true',
                      help="a digit's target is its whole 28x28 block")
    opts.add_argument('--digit-scale', type=float, nargs=2,
                      metavar=('LO', 'HI'),
                      help="rescale each image's digits by a factor drawn "
                      'log-uniformly in [LO, HI]')
    parser.add_argument('--overwrite', action='store_true')
    parser.add_argument('--no-progress', action='store_true')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    try:
        options = GeneratorOptions(
            img_shape=tuple(args.img_shape), min_digits=args.min_digits,
            max_digits=args.max_digits, num_classes=args.num_classes,
            placement=args.placement, max_overlap=args.max_overlap,
            overlap_rule=args.overlap_rule,
            exclusive=not args.overlapping_labels, soft=args.soft,
            whole_box=args.whole_box,
            digit_scale=tuple(args.digit_scale) if args.digit_scale else None)
        t0 = time.perf_counter()
        if args.avoid_m2nist and not args.mnist:
            raise ValueError('--avoid-m2nist needs --mnist')
        counts = split_counts(args.splits)
        if args.avoid_m2nist:
            pools = [m2nist_free_pool(args.mnist, split, args.avoid_m2nist,
                                      count)
                     for split, count in counts.items()]
        elif args.mnist:
            pools = mnist_pools(args.mnist, counts)
        else:
            pools = [csv_pool(args.kaggle_csv, args.num_images)]
        meta = generate_dataset(args.out_dir, pools, options, args.seed,
                                args.layout, args.dtype, args.overwrite,
                                not args.no_progress)
    except (DataFileError, GenerationError, OSError, ValueError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    print(f'{meta["num_images"]} images ({meta["splits"]}) -> '
          f'{args.out_dir} in {time.perf_counter() - t0:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
