"""Which MNIST digit each digit of the real M2NIST is, found from the
images themselves, and the *sources table* that records it
(``row,label,mnist_split,mnist_index``; method: ``docs/data.md``, "Which
MNIST digits M2NIST holds").
"""
import csv
import os.path as osp
from typing import (Dict, Iterable, List, NamedTuple, Optional, Sequence, Set,
                    Tuple)

import numpy as np

from ..arrays import DataFileError
from .generator import DIGIT, Placement
from .m2nist_recipe import replay_layout

#: The sources table of the real M2NIST (5000 images, recipe seed 1234).
SOURCES_FILE = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                        'data', 'm2nist_mnist_sources.csv')
MNIST_SPLITS = ('train', 't10k')
HEADER = ['row', 'label', 'mnist_split', 'mnist_index']
#: Alone pixels compared first, to narrow the candidates cheaply.
_PROBE = 24


class Source(NamedTuple):
    """The MNIST digit behind one source row of the recipe."""
    row: int
    label: int
    mnist_split: str
    mnist_index: int


def alone_masks(draws: Sequence[Placement],
                shape: Tuple[int, int]) -> List[Tuple[Placement, np.ndarray]]:
    """Each pasted digit of one image with the 28x28 mask of its block's
    pixels that no other pasted block covers."""
    pasted = [d for d in draws if d.pasted]
    cover = np.zeros(shape, np.int32)
    for d in pasted:
        cover[d.y:d.y + DIGIT, d.x:d.x + DIGIT] += 1
    return [(d, cover[d.y:d.y + DIGIT, d.x:d.x + DIGIT] == 1) for d in pasted]


class DigitMatcher:
    """Exact matching of a digit's visible pixels against 28x28 digits.

    Args:
        digits: ``uint8`` ``(N, 28, 28)`` digits to search.
        labels: ``(N,)`` their labels 0-9.
    """

    def __init__(self, digits: np.ndarray, labels: np.ndarray) -> None:
        flat = digits.reshape(len(digits), -1)
        self.by_class = {c: (np.flatnonzero(labels == c), flat[labels == c])
                         for c in range(10)}

    def candidates(self, label: int, patch: np.ndarray,
                   alone: np.ndarray,
                   among: Optional[np.ndarray] = None) -> np.ndarray:
        """Sorted indices of the digits of ``label`` equal to ``patch``
        wherever ``alone`` is set, searched ``among`` these sorted indices
        (None: all)."""
        where, flat = self.by_class[label]
        if among is not None:
            flat, where = flat[np.searchsorted(where, among)], among
        pix = np.flatnonzero(alone)
        want = patch.reshape(-1)[pix]
        probe = np.linspace(0, len(pix) - 1, min(_PROBE, len(pix))).astype(
            int)
        keep = np.flatnonzero(np.all(flat[:, pix[probe]] == want[probe],
                                     axis=1))
        keep = keep[np.all(flat[keep][:, pix] == want, axis=1)]
        return where[keep]


def find_sources(images: np.ndarray, masks: np.ndarray,
                 mnist: Dict[str, Tuple[np.ndarray, np.ndarray]],
                 img_path: str = 'images',
                 seed: int = 1234,
                 num_rows: int = 42000) -> List[Source]:
    """The MNIST digit of every source row the recipe's images draw.

    Args:
        images: ``uint8`` ``(N, H, W)`` recipe images (the real M2NIST:
            all 5000, in order), named ``img_path`` in errors.
        masks: ``(N, H, W)`` class maps, background 10.
        mnist: ``{'train': (digits, labels), 't10k': (digits, labels)}``.
        num_rows: Rows of the recipe's source (``train.csv``: 42000).

    Returns:
        One :class:`Source` per candidate of each drawn row, sorted by row
        (on the real M2NIST every row fits exactly one MNIST digit).

    Raises:
        DataFileError: A digit's visible ink has no single class, or no
            MNIST digit (none consistent over all images drawing the row)
            matches it: the images are not the recipe's.
    """
    names = np.array([s for s in MNIST_SPLITS for _ in mnist[s][1]])
    index = np.concatenate([np.arange(len(mnist[s][1]))
                            for s in MNIST_SPLITS])
    matcher = DigitMatcher(
        np.concatenate([mnist[s][0] for s in MNIST_SPLITS]),
        np.concatenate([mnist[s][1] for s in MNIST_SPLITS]))
    found: Dict[int, np.ndarray] = {}
    labels: Dict[int, int] = {}
    for i, draws in enumerate(replay_layout(len(images), seed, num_rows,
                                            images.shape[1:])):
        for d, alone in alone_masks(draws, images.shape[1:]):
            block = (slice(d.y, d.y + DIGIT), slice(d.x, d.x + DIGIT))
            patch, mask = images[i][block], masks[i][block]
            classes = np.unique(mask[alone & (patch > 0)])
            where = f'{img_path}: image {i}, digit at x={d.x}, y={d.y}'
            if len(classes) != 1:
                raise DataFileError(
                    f'{where}: its visible ink has classes '
                    f'{classes.tolist()} (expected one): not the recipe')
            label = int(classes[0])
            if labels.setdefault(d.row, label) != label:
                raise DataFileError(
                    f'{where}: source row {d.row} is a {label} here and a '
                    f'{labels[d.row]} in an earlier image')
            found[d.row] = matcher.candidates(label, patch, alone,
                                              found.get(d.row))
            if not len(found[d.row]):
                raise DataFileError(
                    f'{where}: no MNIST digit matches source row {d.row} '
                    'in every image that draws it: these are not the real '
                    "M2NIST's images, or not the full MNIST")
    return [Source(row, labels[row], str(names[p]), int(index[p]))
            for row in sorted(found) for p in found[row]]


def write_sources(path: str, sources: Iterable[Source]) -> None:
    """Write a sources table (CSV with a header line)."""
    with open(path, 'w', newline='') as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        out.writerows(sources)


def read_sources(path: str = SOURCES_FILE) -> List[Source]:
    """Read a sources table, every field checked.

    Raises:
        FileNotFoundError: No such file.
        DataFileError: Not a sources table (the message names the line).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: no such sources table (build one '
                                'with tools/find_mnist_sources.py)')
    out = []
    with open(path, newline='') as f:
        lines = csv.reader(f)
        if next(lines, None) != HEADER:
            raise DataFileError(f'{path}: the header is not '
                                f'{",".join(HEADER)}')
        for n, line in enumerate(lines, 2):
            try:
                src = Source(int(line[0]), int(line[1]), line[2],
                             int(line[3]))
            except (ValueError, IndexError):
                raise DataFileError(f'{path}, line {n}: {line} is not '
                                    'row,label,mnist_split,mnist_index')
            if (src.mnist_split not in MNIST_SPLITS or not 0 <= src.label
                    <= 9 or src.row < 0 or src.mnist_index < 0):
                raise DataFileError(f'{path}, line {n}: {line}: split must '
                                    f'be one of {MNIST_SPLITS}, label 0-9, '
                                    'row and index >= 0')
            out.append(src)
    return out


def rows_of_images(index_range: Tuple[int, int], seed: int = 1234,
                   num_rows: int = 42000) -> Set[int]:
    """Source rows of the pasted digits of recipe images ``index_range``."""
    start, stop = index_range
    layout = replay_layout(stop, seed, num_rows)[start:]
    return {d.row for draws in layout for d in draws if d.pasted}


def digits_in_images(sources: Sequence[Source],
                     mnist: Dict[str, Tuple[np.ndarray, np.ndarray]],
                     index_range: Tuple[int, int], seed: int = 1234,
                     num_rows: int = 42000) -> np.ndarray:
    """The MNIST digits (``uint8`` ``(M, 28, 28)``, each once) that recipe
    images ``index_range`` hold, by the ``sources`` table.

    Raises:
        DataFileError: A row the images draw is not in the table.
    """
    rows = rows_of_images(index_range, seed, num_rows)
    missing = rows - {s.row for s in sources}
    if missing:
        raise DataFileError(
            f'the sources table lacks {len(missing)} row(s) that images '
            f'{tuple(index_range)} draw (e.g. {sorted(missing)[:5]})')
    picked = sorted({(s.mnist_split, s.mnist_index) for s in sources
                     if s.row in rows})
    return np.stack([mnist[split][0][i] for split, i in picked])


def disjoint_rows(digits: np.ndarray, rows: np.ndarray,
                  banned: np.ndarray) -> np.ndarray:
    """``rows`` of ``digits`` whose pixels equal none of ``banned``."""
    seen = {b.tobytes() for b in banned}
    return np.array([r for r in rows if digits[r].tobytes() not in seen],
                    np.int64)
