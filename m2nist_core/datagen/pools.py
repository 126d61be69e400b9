"""Which source digits each split draws from (MNIST: :data:`MNIST_POOLS`,
no digit in two splits; Kaggle's ``train.csv``: one pool)."""
import os.path as osp
from typing import Dict, List, Optional

import numpy as np

from .provenance import (SOURCES_FILE, digits_in_images, disjoint_rows,
                         read_sources)
from .sources import read_digit_csv, read_mnist
from .writer import Pool

#: MNIST split -> (file split, first row, stop row)
MNIST_POOLS = dict(train=('train', 0, 50000), val=('train', 50000, 60000),
                   test=('test', 0, 10000))
#: What each pool that avoids the real M2NIST keeps out: the digits of its
#: images ``[start, stop)``.
AVOID = dict(val_test=(4000, 5000), all=(0, 5000))


def _check_splits(splits) -> None:
    unknown = sorted(set(splits) - set(MNIST_POOLS))
    if unknown:
        raise ValueError(f'unknown split(s) {unknown}: MNIST pools are '
                         f'{list(MNIST_POOLS)}')


def _pool(split: str, mnist: dict, count: int,
          keep: Optional[np.ndarray] = None) -> Pool:
    """The pool of ``split`` from ``{file split: (digits, labels)}``, its
    rows ``keep`` (default: all of :data:`MNIST_POOLS`' range)."""
    name, start, stop = MNIST_POOLS[split]
    digits, labels = mnist[name]
    if keep is None:
        keep = np.arange(start, min(stop, len(labels)))
    return Pool(split, f'mnist-{"t10k" if name == "test" else name}',
                digits[keep], labels[keep], count, keep)


def mnist_pools(root: str, counts: Dict[str, int]) -> List[Pool]:
    """One pool per split of ``counts`` (split -> images), in its order,
    from the MNIST IDX files in ``root``.

    Raises:
        ValueError: An unknown split.
    """
    _check_splits(counts)
    names = {MNIST_POOLS[split][0] for split in counts}
    mnist = {name: read_mnist(root, name) for name in names}
    return [_pool(split, mnist, count) for split, count in counts.items()]


def csv_pool(path: str, count: int, split: str = 'all') -> Pool:
    """One pool (of ``split``, ``count`` images) of every digit in Kaggle's
    Digit Recognizer ``train.csv``, its source named by the file's name."""
    digits, labels = read_digit_csv(path)
    return Pool(split, osp.basename(path), digits, labels, count)


def m2nist_free_pool(root: str, split: str, avoid: str, count: int = 0,
                     sources: Optional[str] = None) -> Pool:
    """The MNIST pool of ``split`` less every digit (by pixels) of the
    real M2NIST images that ``avoid`` names (``docs/data.md``).

    Args:
        root: The folder of the MNIST IDX files.
        split: A key of :data:`MNIST_POOLS`.
        avoid: A key of :data:`AVOID`.
        count: Images drawn from the pool.
        sources: The sources table (default: the real M2NIST's, shipped).

    Returns:
        The pool, ``rows`` its digits' rows in the MNIST file.

    Raises:
        ValueError: An unknown ``split`` or ``avoid``.
    """
    if avoid not in AVOID:
        raise ValueError(f'unknown avoid={avoid!r}, expected one of '
                         f'{list(AVOID)}')
    _check_splits([split])
    mnist = {'train': read_mnist(root, 'train'),
             'test': read_mnist(root, 'test')}
    banned = digits_in_images(read_sources(sources or SOURCES_FILE),
                              dict(train=mnist['train'], t10k=mnist['test']),
                              AVOID[avoid])
    name, start, stop = MNIST_POOLS[split]
    digits = mnist[name][0]
    keep = disjoint_rows(digits, np.arange(start, min(stop, len(digits))),
                         banned)
    return _pool(split, mnist, count, keep)
