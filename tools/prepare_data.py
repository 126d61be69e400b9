"""Put M2NIST into data/m2nist and MNIST into data/mnist from whatever
source is at hand.

    python tools/prepare_data.py                     # search, else download
    python tools/prepare_data.py --m2nist ~/Downloads/m2nist   # Kaggle files
    python tools/prepare_data.py --kaggle-csv ~/Downloads/train.csv
    python tools/prepare_data.py --mnist ~/mnist     # MNIST IDX files

Sources, first found wins: Kaggle's M2NIST files (linked), train.csv (the
real M2NIST regenerated), MNIST IDX files (the recipe over MNIST), else
MNIST downloaded (md5 checked). Without options it looks in data/ and in
the m2nist/ and mnist/ of $M2NIST_MM_DATA. MNIST also goes into
--mnist-dir (kept, linked or downloaded). Details: docs/data.md.
"""
import argparse
import os
import os.path as osp
import sys
from typing import List, Optional

from m2nist_core import DataFileError
from m2nist_core.classes import CLASSES
from m2nist_core.datagen import (GeneratorOptions, csv_pool, generate_dataset,
                                 mnist_pools)
from m2nist_core.datagen.download import MIRRORS, MNIST_MD5, download_mnist
from m2nist_core.datagen.sources import MNIST_FILES, mnist_files
from m2nist_core.splits import SPLITS, open_files

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def data_folders(name: str) -> List[str]:
    """``name`` under the folder that ``$M2NIST_MM_DATA`` names, if set."""
    root = os.environ.get('M2NIST_MM_DATA')
    return [osp.join(root, name)] if root else []


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--out', default='data/m2nist')
    src = parser.add_mutually_exclusive_group()
    src.add_argument('--m2nist', help="folder of Kaggle's M2NIST files")
    src.add_argument('--kaggle-csv', help="Digit Recognizer's train.csv")
    src.add_argument('--mnist', help='folder with the MNIST IDX files')
    src.add_argument('--download', action='store_true',
                     help='download MNIST even when it is on disk')
    parser.add_argument('--mnist-dir', default='data/mnist',
                        help='where MNIST goes (linked or downloaded)')
    parser.add_argument('--mirrors', nargs='+', default=list(MIRRORS))
    return parser.parse_args(argv)


def is_m2nist(root: str) -> bool:
    """Whether ``root`` holds M2NIST files that read (raises if corrupt)."""
    if not all(osp.isfile(osp.join(root, f))
               for f in ('combined.npy', 'segmented.npy')):
        return False
    open_files(root, 'combined.npy', 'segmented.npy', (64, 84), len(CLASSES))
    return True


def is_mnist(root: str) -> bool:
    """Whether ``root`` holds the four MNIST files (``.gz`` or not)."""
    try:
        for split in MNIST_FILES:
            mnist_files(root, split)
    except FileNotFoundError:
        return False
    return True


def link(src: str, out: str, what: str = 'M2NIST') -> None:
    """``out`` becomes a symbolic link to the folder ``src`` of ``what``."""
    if osp.islink(out):
        os.remove(out)
    elif osp.exists(out):
        raise FileExistsError(f'{out} exists and does not read as {what}: '
                              'move it away first')
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    os.symlink(osp.abspath(src), out)


def generate(out: str, pools: list) -> None:
    """The recipe into ``out`` (a link there is replaced, not followed)."""
    if osp.islink(out):
        os.remove(out)
    generate_dataset(out, pools, GeneratorOptions(), seed=1234,
                     overwrite=True)


def first(paths: List[str], test) -> Optional[str]:
    return next((p for p in paths if osp.isdir(p) and test(p)), None)


def download(args: argparse.Namespace) -> None:
    """MNIST into ``--mnist-dir`` from ``--mirrors``; when no mirror answers
    (offline), the error says where the files go and which options point at
    data already on disk."""
    try:
        download_mnist(args.mnist_dir, args.mirrors)
    except RuntimeError as e:
        files = ', '.join(MNIST_MD5)
        raise RuntimeError(
            f'{e}\nWithout a connection, put the four MNIST files ({files}; '
            f'.gz or not) in {args.mnist_dir}, or point at data on disk: '
            '--mnist DIR (MNIST files), --m2nist DIR (Kaggle combined.npy '
            'and segmented.npy), --kaggle-csv FILE (Digit Recognizer '
            'train.csv), or the environment variable M2NIST_MM_DATA naming '
            'a folder that holds m2nist/ or mnist/.') from None


def prepare_mnist(args: argparse.Namespace) -> str:
    """MNIST into ``--mnist-dir``; a line saying what was done."""
    out = args.mnist_dir
    if osp.isdir(out) and is_mnist(out):
        return f'{out} holds MNIST: kept'
    found = args.mnist if args.mnist and is_mnist(args.mnist) else first(
        data_folders('mnist'), is_mnist)
    if found:
        if osp.abspath(found) != osp.abspath(out):
            link(found, out, 'MNIST')
        return f'{out} -> {found} (MNIST found on disk)'
    download(args)
    return f'{out}: MNIST downloaded'


def prepare(args: argparse.Namespace) -> str:
    """Do it; a line saying what was done."""
    counts = {split: stop - start for split, (start, stop) in SPLITS.items()}
    if args.m2nist:
        if not is_m2nist(args.m2nist):
            raise FileNotFoundError(f'{args.m2nist}: no combined.npy and '
                                    'segmented.npy')
        link(args.m2nist, args.out)
        return f'{args.out} -> {args.m2nist} (Kaggle M2NIST)'
    if args.kaggle_csv:
        generate(args.out, [csv_pool(args.kaggle_csv, sum(counts.values()))])
        return f'{args.out}: M2NIST regenerated from {args.kaggle_csv}'
    mnist = args.mnist
    if not (mnist or args.download):
        if osp.isdir(args.out) and is_m2nist(args.out):
            return f'{args.out} already holds M2NIST: kept'
        found = first(data_folders('m2nist'), is_m2nist)
        if found:
            link(found, args.out)
            return f'{args.out} -> {found} (M2NIST found on disk)'
        mnist = first([args.mnist_dir] + data_folders('mnist'), is_mnist)
    if not mnist:
        download(args)
        mnist = args.mnist_dir
    generate(args.out, mnist_pools(mnist, counts))
    return (f'{args.out}: M2NIST recipe over MNIST from {mnist} '
            f'({counts})')


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    try:
        print(prepare(args))
        print(prepare_mnist(args))
    except (DataFileError, FileExistsError, FileNotFoundError, OSError,
            RuntimeError, ValueError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
