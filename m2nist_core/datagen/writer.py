"""Generate a data set to disk: ``combined.npy``, ``segmented.npy``,
``digits.csv``, ``annotations/instances.json`` (COCO) and
``generator.json`` (what each holds: ``docs/data.md``), through memory maps
under temporary names renamed when complete.
"""
import csv
import json
import os
import os.path as osp
import sys
from dataclasses import asdict
from typing import Dict, List, NamedTuple, Optional, Sequence

import numpy as np

from ..coco import to_coco
from .generator import (NUM_DIGITS, GeneratorOptions, channels, class_map,
                        compose, draw_image)

LAYOUTS = ('compact', 'kaggle')
FILES = ('combined.npy', 'segmented.npy', 'digits.csv', 'generator.json',
         osp.join('annotations', 'instances.json'))


class Pool(NamedTuple):
    """Where ``count`` images of ``split`` draw their digits; ``rows``:
    each digit's row in ``source`` (default: its index)."""
    split: str
    source: str
    digits: np.ndarray
    labels: np.ndarray
    count: int
    rows: Optional[np.ndarray] = None


def _usable(pool: Pool, num_classes: int) -> Pool:
    rows = np.arange(len(pool.labels)) if pool.rows is None else pool.rows
    keep = pool.labels < num_classes
    if not keep.any():
        raise ValueError(f'{pool.source}: no digit below {num_classes} '
                         f'(num_classes) to draw for split {pool.split!r}')
    if keep.all():
        return pool._replace(rows=rows)
    return pool._replace(digits=pool.digits[keep], labels=pool.labels[keep],
                         rows=rows[keep])


def _prepare(out_dir: str, overwrite: bool) -> None:
    try:
        os.makedirs(osp.join(out_dir, 'annotations'), exist_ok=True)
    except OSError as e:
        raise OSError(f'cannot create the output folder {out_dir}: {e}')
    if not os.access(out_dir, os.W_OK):
        raise PermissionError(f'{out_dir}: not writable')
    there = [f for f in FILES if osp.exists(osp.join(out_dir, f))]
    if there and not overwrite:
        raise FileExistsError(f'{out_dir} already holds {there}: choose '
                              'another folder or pass overwrite')


def _dtypes(layout: str, opts: GeneratorOptions,
            dtype: Optional[str]) -> np.dtype:
    if layout not in LAYOUTS:
        raise ValueError(f'layout must be one of {LAYOUTS}, got {layout!r}')
    if layout == 'compact':
        if not opts.exclusive or opts.soft:
            raise ValueError(
                "layout='compact' is a class-index map: it needs exclusive "
                "binary labels (use layout='kaggle' for overlapping or soft)")
        if dtype not in (None, 'uint8'):
            raise ValueError("layout='compact' is uint8; dtype applies to "
                             "layout='kaggle'")
        return np.dtype(np.uint8)
    out = np.dtype(dtype or ('float32' if opts.soft else 'uint8'))
    if opts.soft and out.kind != 'f':
        raise ValueError(f'soft targets need a float dtype, got {out}')
    if out.kind not in 'uif':
        raise ValueError(f'dtype must be numeric, got {out}')
    return out


def generate_dataset(out_dir: str,
                     pools: Sequence[Pool],
                     opts: GeneratorOptions = GeneratorOptions(),
                     seed: int = 1234,
                     layout: str = 'compact',
                     dtype: Optional[str] = None,
                     overwrite: bool = False,
                     progress: bool = True) -> Dict:
    """Generate ``sum(pool.count)`` images into ``out_dir``; its metadata.

    One ``RandomState(seed)`` stream runs through the pools in order (one
    pool of ``train.csv``, default options, seed 1234: the real M2NIST).

    Args:
        out_dir: The output folder (created if missing).
        pools: Digit pools, one per split, numbered in this order.
        opts: What to generate.
        seed: Seed of the random stream.
        layout: ``'compact'`` (class indices) or ``'kaggle'`` (11 channels).
        dtype: dtype of both arrays, ``'kaggle'`` only; None:
            ``float32`` with ``soft`` targets, else ``uint8``.
        overwrite: Replace a data set already in ``out_dir``.
        progress: Show ``images done/total`` on stdout.

    Returns:
        The metadata written to ``generator.json``.

    Raises:
        ValueError: A bad ``layout``, ``dtype`` or count, or a pool with
            no digit below ``opts.num_classes``.
        FileExistsError: ``out_dir`` holds a data set and not
            ``overwrite``.
        GenerationError: ``opts`` cannot be met.
    """
    out_type = _dtypes(layout, opts, dtype)
    pools = [_usable(p, opts.num_classes) for p in pools]
    if sum(p.count for p in pools) < 1 or any(p.count < 0 for p in pools):
        raise ValueError(f'image counts must be >= 0 with a positive sum, '
                         f'got {[p.count for p in pools]}')
    _prepare(out_dir, overwrite)
    partial = {name: osp.join(out_dir, f'.{name}.partial')
               for name in ('combined.npy', 'segmented.npy', 'digits.csv')}
    try:
        meta = _write(partial, pools, opts, seed, layout, out_type,
                      progress)
    except BaseException:
        for path in partial.values():
            if osp.exists(path):
                os.remove(path)
        raise
    for name, path in partial.items():
        os.replace(path, osp.join(out_dir, name))
    h, w = opts.img_shape
    with open(osp.join(out_dir, 'annotations', 'instances.json'), 'w') as f:
        f.write(json.dumps(to_coco(meta.pop('instances'), 0, 'combined.npy',
                                   (h, w))))
    with open(osp.join(out_dir, 'generator.json'), 'w') as f:
        json.dump(meta, f, indent=2)
    return meta


def _write(paths: Dict[str, str], pools: List[Pool], opts: GeneratorOptions,
           seed: int, layout: str, out_type: np.dtype,
           progress: bool) -> Dict:
    """Draw and write every image to ``paths``; the metadata."""
    total = sum(p.count for p in pools)
    h, w = opts.img_shape
    seg_shape = (total, h, w) + (() if layout == 'compact' else
                                 (NUM_DIGITS + 1, ))
    imgs = np.lib.format.open_memmap(paths['combined.npy'], 'w+', out_type,
                                     (total, h, w))
    segs = np.lib.format.open_memmap(paths['segmented.npy'], 'w+', out_type,
                                     seg_shape)
    rng = np.random.RandomState(seed)
    instances: List[list] = []
    splits, index = {}, 0
    with open(paths['digits.csv'], 'w', newline='') as f:
        table = csv.writer(f)
        table.writerow(['image', 'source', 'row', 'label', 'x', 'y', 'size',
                        'pasted', 'x1', 'y1', 'x2', 'y2'])
        for pool in pools:
            splits[pool.split] = [index, index + pool.count]
            for _ in range(pool.count):
                draws = draw_image(rng, len(pool.labels), opts)
                img, targets, found = compose(draws, pool.digits,
                                              pool.labels, opts)
                imgs[index] = img
                segs[index] = (class_map(targets, (h, w))
                               if layout == 'compact' else
                               channels(targets, (h, w), out_type))
                for d in found:
                    table.writerow([
                        index, pool.source, int(pool.rows[d.row]), d.label,
                        d.x, d.y, d.size, int(d.pasted)
                    ] + list(d.box or ('', ) * 4))
                instances.append([(d.label, d.box) for d in found if d.box])
                index += 1
                if progress:
                    _progress(index, total)
    imgs.flush()
    segs.flush()
    return dict(seed=seed, layout=layout, dtype=str(out_type),
                options=asdict(opts), splits=splits,
                sources={p.split: p.source for p in pools},
                num_images=total, instances=instances)


def _progress(done: int, total: int) -> None:
    """``images done/total`` on stdout, redrawn every 1 % of the images."""
    if done % max(1, total // 100) == 0 or done == total:
        sys.stdout.write(f'\rimages {done}/{total} ({100 * done // total} %)'
                         + ('\n' if done == total else ''))
        sys.stdout.flush()
