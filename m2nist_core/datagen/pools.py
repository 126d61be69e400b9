"""Which source digits each split draws from.

MNIST: train images draw from MNIST train rows 0-49999, val images from
rows 50000-59999, test images from t10k, so no digit appears in two
splits. Kaggle's ``train.csv`` (the published M2NIST source) is one pool.
"""
import os.path as osp
from typing import Dict, List

import numpy as np

from .sources import read_digit_csv, read_mnist
from .writer import Pool

#: MNIST split -> (file split, first row, stop row)
MNIST_POOLS = dict(train=('train', 0, 50000), val=('train', 50000, 60000),
                   test=('test', 0, 10000))


def mnist_pools(root: str, counts: Dict[str, int]) -> List[Pool]:
    """Pools for ``counts`` (split -> images) from MNIST IDX files.

    Args:
        root: The folder of the MNIST IDX files.
        counts: Images per split (``'train'``, ``'val'``, ``'test'``).

    Returns:
        One pool per split of ``counts``, in its order.

    Raises:
        ValueError: An unknown split.
    """
    unknown = sorted(set(counts) - set(MNIST_POOLS))
    if unknown:
        raise ValueError(f'unknown split(s) {unknown}: MNIST pools are '
                         f'{list(MNIST_POOLS)}')
    files = {}
    pools = []
    for split, count in counts.items():
        name, start, stop = MNIST_POOLS[split]
        if name not in files:
            files[name] = read_mnist(root, name)
        digits, labels = files[name]
        pools.append(
            Pool(split, f'mnist-{"t10k" if name == "test" else name}',
                 digits[start:stop], labels[start:stop], count,
                 np.arange(start, min(stop, len(labels)))))
    return pools


def csv_pool(path: str, count: int, split: str = 'all') -> Pool:
    """One pool of every digit in Kaggle's Digit Recognizer ``train.csv``.

    Args:
        path: The ``train.csv`` file.
        count: Images drawn from the pool.
        split: The split the pool's images make.

    Returns:
        The pool, its source named by the file's name.
    """
    digits, labels = read_digit_csv(path)
    return Pool(split, osp.basename(path), digits, labels, count)
