"""The M2NIST splits, and reading one split of an M2NIST-layout ``.npy``
pair (images and masks), validated."""
import os.path as osp
from typing import Optional, Sequence, Tuple

import numpy as np

from .arrays import (DataFileError, extended_mask_layout,
                     extended_masks_to_index, image_layout, images_to_uint8,
                     mask_layout, masks_to_index, open_npy,
                     unit_images_to_uint8)

M2NIST_URL = 'https://www.kaggle.com/datasets/farhanhubble/multimnistm2nist'
#: Default index ranges ``[start, stop)`` of the splits.
SPLITS = dict(train=(0, 4000), val=(4000, 4500), test=(4500, 5000))
#: Array layouts: M2NIST's (images 0-255, one-hot with a background
#: channel or class indices) and MNIST extended's (images in [0, 1],
#: one target channel per digit, no background channel).
LAYOUTS = ('m2nist', 'mnist_extended')


def check_layout(owner: str, layout: str) -> None:
    """Refuse a ``layout`` not in :data:`LAYOUTS` (``owner`` starts the
    message)."""
    if layout not in LAYOUTS:
        raise ValueError(f'{owner}: unknown layout {layout!r}, expected one '
                         f'of {LAYOUTS}')


def split_range(owner: str, split: str,
                index_range: Optional[Sequence[int]]) -> Tuple[int, int]:
    """``index_range`` if given, else ``split``'s range in :data:`SPLITS`;
    ``split='all'`` is the whole file (``(0, None)`` until it is read).

    Raises:
        ValueError: An unknown split (``owner`` starts the message), or
            ``index_range`` is not two ints ``0 <= start < stop``.
    """
    if split == 'all' and index_range is None:
        return (0, None)
    if split not in SPLITS and split != 'all':
        raise ValueError(f'{owner}: unknown split {split!r}, expected one of '
                         f'{sorted(SPLITS) + ["all"]}')
    rng = SPLITS.get(split) if index_range is None else index_range
    if (len(rng) != 2 or not all(isinstance(v, int) for v in rng)
            or not 0 <= rng[0] < rng[1]):
        raise ValueError(f'{owner}: index_range must be two ints 0 <= start '
                         f'< stop, got {index_range!r}')
    return tuple(rng)


def open_files(
        data_root: str,
        img_file: str,
        seg_file: str,
        img_shape: Optional[Tuple[int, int]],
        num_classes: int,
        layout: str = 'm2nist') -> Tuple[str, str, np.ndarray, np.ndarray]:
    """Both files (in ``data_root``, if any) memory-mapped and checked to
    be ``layout``'s arrays of ``img_shape`` (None: any) and ``num_classes``
    (background last): ``(img_path, seg_path, images, masks)`` as stored.

    Raises:
        ValueError: An unknown ``layout``.
        FileNotFoundError: A file is missing.
        DataFileError: A file is not a valid array of the layout, or the
            two hold different numbers of samples.
    """
    img_path = osp.join(data_root or '', img_file)
    seg_path = osp.join(data_root or '', seg_file)
    check_layout(img_path, layout)
    for path in (img_path, seg_path):
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'M2NIST file not found: {path}. Run `python '
                'tools/prepare_data.py` (it links a Kaggle download of '
                f'M2NIST ({M2NIST_URL}) or generates M2NIST from MNIST into '
                "data/m2nist), or point the config at a folder holding "
                'combined.npy and segmented.npy with --cfg-options '
                'data_root=PATH (see README, "Data").')
    imgs, masks = open_npy(img_path), open_npy(seg_path)
    image_layout(img_path, imgs, img_shape)
    hw = tuple(imgs.shape[1:3])
    if layout == 'mnist_extended':
        extended_mask_layout(seg_path, masks, hw)
    else:
        mask_layout(seg_path, masks, hw, num_classes)
    if len(imgs) != len(masks):
        raise DataFileError(f'{img_path} holds {len(imgs)} images but '
                            f'{seg_path} holds {len(masks)} masks')
    return img_path, seg_path, imgs, masks


def read_split(
        data_root: str,
        img_file: str,
        seg_file: str,
        index_range: Tuple[int, Optional[int]],
        img_shape: Optional[Tuple[int, int]],
        num_classes: int,
        layout: str = 'm2nist') -> Tuple[str, str, np.ndarray, np.ndarray]:
    """:func:`open_files`, then samples ``index_range`` (``stop`` None: to
    the end) converted to ``uint8`` ``(n, H, W)`` images and class indices.

    Raises:
        DataFileError: As :func:`open_files`, invalid values, or
            ``index_range`` beyond the data.
    """
    img_path, seg_path, imgs, masks = open_files(data_root, img_file, seg_file,
                                                 img_shape, num_classes,
                                                 layout)
    start, stop = index_range
    stop = len(imgs) if stop is None else stop
    if stop > len(imgs):
        raise DataFileError(
            f'{img_path}: index_range {tuple(index_range)} is outside the '
            f'data ({len(imgs)} samples)')
    if imgs.ndim == 4:  # (N, H, W, 1): a view, not a copy
        imgs = imgs[..., 0]
    if layout == 'mnist_extended':
        return (img_path, seg_path,
                unit_images_to_uint8(img_path, imgs, start, stop),
                extended_masks_to_index(seg_path, masks, start, stop,
                                        num_classes - 1))
    return (img_path, seg_path, images_to_uint8(img_path, imgs, start, stop),
            masks_to_index(seg_path, masks, start, stop, num_classes))


def sample_name(img_path: str, img_idx: Optional[int] = None) -> str:
    """How files about one sample are named: ``<stem>`` of its image file,
    or ``<stem>_<img_idx:05d>`` for row ``img_idx`` of an array file."""
    stem = osp.splitext(osp.basename(img_path))[0]
    return stem if img_idx is None else f'{stem}_{img_idx:05d}'
