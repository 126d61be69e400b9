"""Find the MNIST digit behind every digit of the real M2NIST.

    # build the sources table from the images and MNIST
    python tools/find_mnist_sources.py data/m2nist --mnist data/mnist \\
        --out work_dirs/m2nist_mnist_sources.csv
    # check that the table shipped with m2nist_core is what the data gives
    python tools/find_mnist_sources.py data/m2nist --mnist data/mnist --check

Method and use of the table: docs/data.md, "Which MNIST digits M2NIST
holds".
"""
import argparse
import sys
import time
from collections import Counter
from typing import List, Optional

from m2nist_core import DataFileError
from m2nist_core.classes import CLASSES
from m2nist_core.datagen.provenance import (SOURCES_FILE, digits_in_images,
                                            find_sources, read_sources,
                                            write_sources)
from m2nist_core.datagen.sources import read_mnist
from m2nist_core.splits import SPLITS, read_split


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('m2nist', help='folder of the real M2NIST '
                        '(combined.npy, segmented.npy; any layout)')
    parser.add_argument('--mnist', required=True,
                        help='folder with the four MNIST IDX files')
    out = parser.add_mutually_exclusive_group(required=True)
    out.add_argument('--out', help='write the sources table here (CSV)')
    out.add_argument('--check', nargs='?', const=SOURCES_FILE,
                     metavar='TABLE', help='compare with a table (default: '
                     'the one shipped with m2nist_core); exit 1 if they '
                     'differ')
    return parser.parse_args(argv)


def summary(sources: list, mnist: dict) -> str:
    """What the table holds, per MNIST split and M2NIST split."""
    splits = Counter(s.mnist_split for s in sources)
    lines = [f'{len(sources)} source rows: ' + ', '.join(
        f'{n} MNIST {k}' for k, n in sorted(splits.items()))]
    for name, rng in SPLITS.items():
        lines.append(f'  M2NIST {name} images {rng[0]}-{rng[1] - 1}: '
                     f'{len(digits_in_images(sources, mnist, rng))} '
                     'distinct MNIST digits')
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    try:
        img_path, _, images, masks = read_split(
            args.m2nist, 'combined.npy', 'segmented.npy', (0, None),
            (64, 84), len(CLASSES))
        if len(images) != 5000:
            raise DataFileError(f'{img_path}: {len(images)} images; the real '
                                'M2NIST has 5000')
        mnist = {'train': read_mnist(args.mnist, 'train'),
                 't10k': read_mnist(args.mnist, 't10k')}
        t0 = time.perf_counter()
        sources = find_sources(images, masks, mnist, img_path)
        print(f'matched in {time.perf_counter() - t0:.1f} s')
        print(summary(sources, mnist))
        if args.out:
            write_sources(args.out, sources)
            print(f'-> {args.out}')
            return 0
        shipped = read_sources(args.check)
    except (DataFileError, FileNotFoundError, OSError, ValueError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    if shipped != sources:
        differ = set(shipped) ^ set(sources)
        print(f'{args.check} differs from what the data gives in '
              f'{len(differ)} line(s), e.g. {sorted(differ)[:3]}',
              file=sys.stderr)
        return 1
    print(f'{args.check}: the same ({len(sources)} rows)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
