"""Readers of MNIST IDX files and Kaggle's train.csv: ``uint8`` ``(N, 28,
28)`` digits and ``(N,)`` labels; a malformed file is a ``DataFileError``."""
import gzip
import io
import os.path as osp
from typing import Tuple

import numpy as np

from ..arrays import DataFileError

#: IDX magic numbers (``0x08`` = unsigned byte) and the rank they announce.
IDX_MAGIC = {0x801: 1, 0x803: 3}
#: MNIST file names per split (``.gz`` optional).
MNIST_FILES = dict(
    train=('train-images-idx3-ubyte', 'train-labels-idx1-ubyte'),
    test=('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'))
CSV_HEADER = ['label'] + [f'pixel{i}' for i in range(784)]


def _read_bytes(path: str) -> bytes:
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: no such file')
    try:
        with open(path, 'rb') as f:
            raw = f.read()
        return gzip.decompress(raw) if raw[:2] == b'\x1f\x8b' else raw
    except (OSError, EOFError) as e:  # truncated or corrupt gzip
        raise DataFileError(f'{path}: cannot decompress ({e})') from e


def read_idx(path: str) -> np.ndarray:
    """An IDX file of unsigned bytes (gzipped or not), magic checked."""
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise DataFileError(f'{path}: {len(raw)} bytes, not an IDX file')
    magic = int.from_bytes(raw[:4], 'big')
    if magic not in IDX_MAGIC:
        raise DataFileError(
            f'{path}: magic number {magic:#x}, expected one of '
            f'{[hex(m) for m in IDX_MAGIC]} (unsigned-byte IDX, rank 1 or 3)')
    rank = IDX_MAGIC[magic]
    header = 4 + 4 * rank
    if len(raw) < header:
        raise DataFileError(f'{path}: truncated header')
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big')
                  for i in range(rank))
    size = int(np.prod(shape))
    if len(raw) != header + size:
        raise DataFileError(
            f'{path}: header announces shape {shape} ({size} bytes of data) '
            f'but the file holds {len(raw) - header} (truncated or padded)')
    return np.frombuffer(raw, np.uint8, size, header).reshape(shape)


def _checked(path: str, digits: np.ndarray,
             labels: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    if digits.shape[1:] != (28, 28):
        raise DataFileError(f'{path}: digits of shape {digits.shape[1:]}, '
                            'expected (28, 28)')
    if labels.size and labels.max() > 9:
        raise DataFileError(f'{path}: label {int(labels.max())} is not a '
                            'digit (0-9)')
    return digits, labels.astype(np.uint8)


def mnist_files(root: str, split: str) -> Tuple[str, str]:
    """``(images, labels)`` paths of MNIST ``split`` (``'train'``, or
    ``'test'`` / ``'t10k'``) in ``root``, the ``.gz`` file when both are.

    Raises:
        ValueError: An unknown split.
        FileNotFoundError: A file is missing.
    """
    split = 'test' if split == 't10k' else split
    if split not in MNIST_FILES:
        raise ValueError(f'read_mnist: unknown split {split!r}, expected '
                         "'train' or 'test'")
    paths = []
    for name in MNIST_FILES[split]:
        found = [osp.join(root, name + ext) for ext in ('.gz', '')
                 if osp.isfile(osp.join(root, name + ext))]
        if not found:
            raise FileNotFoundError(
                f'{osp.join(root, name)}(.gz): MNIST file not found (run '
                'tools/prepare_data.py --download to fetch it)')
        paths.append(found[0])
    return paths[0], paths[1]


def read_mnist(root: str, split: str) -> Tuple[np.ndarray, np.ndarray]:
    """MNIST ``split`` from the IDX files in ``root`` (:func:`mnist_files`).

    Raises:
        ValueError: An unknown split.
        FileNotFoundError: A file is missing.
        DataFileError: A malformed file, or the two do not match.
    """
    paths = mnist_files(root, split)
    digits, labels = read_idx(paths[0]), read_idx(paths[1])
    if digits.ndim != 3 or labels.ndim != 1:
        raise DataFileError(f'{paths[0]} / {paths[1]}: expected images '
                            '(rank 3) and labels (rank 1)')
    if len(digits) != len(labels):
        raise DataFileError(f'{paths[0]} holds {len(digits)} images but '
                            f'{paths[1]} holds {len(labels)} labels')
    return _checked(paths[0], digits, labels)


def read_digit_csv(path: str) -> Tuple[np.ndarray, np.ndarray]:
    """Kaggle Digit Recognizer ``train.csv``: ``label,pixel0..pixel783``."""
    raw = _read_bytes(path)
    header, _, body = raw.partition(b'\n')
    if header.decode('ascii', 'replace').strip().split(',') != CSV_HEADER:
        raise DataFileError(f'{path}: header is not label,pixel0..pixel783 '
                            "(Kaggle Digit Recognizer's train.csv)")
    try:
        values = np.loadtxt(io.BytesIO(body), delimiter=',', dtype=np.int64,
                            ndmin=2)
    except ValueError as e:  # a non-integer, or a short (truncated) row
        raise DataFileError(f'{path}: not a table of integers ({e})') from e
    if values.shape[1] != 785:
        raise DataFileError(f'{path}: rows of {values.shape[1]} values, '
                            'expected 785')
    if values.min(initial=0) < 0 or values[:, 1:].max(initial=0) > 255:
        raise DataFileError(f'{path}: pixel values outside 0-255')
    return _checked(path, values[:, 1:].astype(np.uint8).reshape(-1, 28, 28),
                    values[:, 0])
