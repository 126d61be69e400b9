"""M2NIST-style test sets with every digit rescaled (the scale benchmark).

One list of recipe layouts is rendered at every scale ``s``, the whole
layout scaled into a ``round(64 s) x round(84 s)`` image, so the sets hold
the same digits in the same places. Each set folder holds ``combined.npy``,
``segmented.npy`` (compact) and ``scale_set.json``.
"""
import json
import os
import os.path as osp
from typing import Dict, List, Sequence

import numpy as np

from .generator import (GeneratorOptions, Placement, block_size, class_map,
                        compose, draw_image)
from .pools import mnist_pools
from .scales import scale_tag

M2NIST_SHAPE = (64, 84)


def scale_options(scale: float) -> GeneratorOptions:
    """The M2NIST generator options with the layout scaled by ``scale``."""
    side = block_size(scale)
    shape = tuple(max(side, int(round(v * scale))) for v in M2NIST_SHAPE)
    return GeneratorOptions(img_shape=shape, digit_scale=(scale, scale))


def scale_set_dir(root: str, scale: float) -> str:
    """The folder of the set at ``scale`` (``<root>/s0p500`` for 0.5)."""
    return osp.join(root, f's{scale_tag(scale)}')


def scale_layout(draws: Sequence[Placement], scale: float,
                 opts: GeneratorOptions) -> List[Placement]:
    """One image's scale-1 ``draws`` scaled by ``scale`` into the image of
    ``opts`` (:func:`scale_options`), positions kept inside it."""
    h, w = opts.img_shape
    size = block_size(scale)
    return [
        Placement(d.row, min(int(round(d.x * scale)), w - size),
                  min(int(round(d.y * scale)), h - size), d.pasted, size)
        for d in draws
    ]


def _meta(scale: float, count: int, seed: int, split: str) -> Dict:
    return dict(scale=scale, count=count, seed=seed, split=split,
                img_shape=list(scale_options(scale).img_shape))


def _write_set(out: str, meta: Dict, images: np.ndarray,
               masks: np.ndarray) -> None:
    os.makedirs(out, exist_ok=True)
    for name, arr in (('combined.npy', images), ('segmented.npy', masks)):
        np.save(osp.join(out, f'.{name}.partial.npy'), arr)
        os.replace(osp.join(out, f'.{name}.partial.npy'), osp.join(out, name))
    with open(osp.join(out, 'scale_set.json'), 'w') as f:
        json.dump(meta, f)


def _current(out: str, meta: Dict) -> bool:
    path = osp.join(out, 'scale_set.json')
    return osp.isfile(path) and json.load(open(path)) == meta


def scale_counts(scales: Sequence[float], images: int) -> List[int]:
    """Images per set of each of ``scales``: ``images`` up to scale 1,
    ``images / s`` above (pixels grow like ``s``, not ``s**2``)."""
    return [images if s <= 1 else max(1, int(round(images / s)))
            for s in scales]


def make_scale_sets(root: str, mnist_root: str, scales: Sequence[float],
                    counts: Sequence[int], seed: int = 0,
                    split: str = 'test') -> List[str]:
    """Write one set per scale (or keep one whose ``scale_set.json``
    matches): the first ``counts[i]`` layouts of one ``RandomState(seed)``
    stream over the MNIST pool of ``split``.

    Args:
        root: The folder of the sets (see :func:`scale_set_dir`).
        mnist_root: The folder of the MNIST IDX files.
        scales: The sets' digit scales.
        counts: Images per set, one >= 1 per scale.
        seed: Seed of the layout stream.
        split: The MNIST pool (a key of ``MNIST_POOLS``).

    Returns:
        The folders, in the order of ``scales``.

    Raises:
        ValueError: Not one count >= 1 per scale, or an unknown split.
    """
    if len(counts) != len(scales) or min(counts, default=0) < 1:
        raise ValueError(f'need one count >= 1 per scale, got {counts} for '
                         f'{len(scales)} scales')
    metas = [_meta(s, n, seed, split) for s, n in zip(scales, counts)]
    dirs = [scale_set_dir(root, s) for s in scales]
    todo = [i for i, (out, meta) in enumerate(zip(dirs, metas))
            if not _current(out, meta)]
    if not todo:
        return dirs
    pool = mnist_pools(mnist_root, {split: max(counts)})[0]
    rng = np.random.RandomState(seed)
    layouts = [draw_image(rng, len(pool.labels), GeneratorOptions())
               for _ in range(max(counts))]
    for i in todo:
        opts = scale_options(scales[i])
        images = np.zeros((counts[i], ) + opts.img_shape, np.uint8)
        masks = np.zeros_like(images)
        for k, draws in enumerate(layouts[:counts[i]]):
            images[k], targets, _ = compose(
                scale_layout(draws, scales[i], opts), pool.digits,
                pool.labels, opts)
            masks[k] = class_map(targets, opts.img_shape)
        _write_set(dirs[i], metas[i], images, masks)
    return dirs
