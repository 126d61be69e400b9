"""Render a grid of data set samples with coloured masks and boxes to PNG.

    python tools/browse_dataset.py configs/m2nist_fastscnn.py --split val
    python tools/browse_dataset.py configs/m2nist_det_rtmdet_tiny.py \\
        --num 24 --out work_dirs/browse/det.png
    # a generated data set or MNIST Large Scale: override the data set
    python tools/browse_dataset.py configs/m2nist_fastscnn.py --cfg-options \\
        val_dataloader.dataset.data_root=data/mnist_ext \\
        val_dataloader.dataset.img_shape="(60,60)"

Masks are tinted and boxes drawn in their class colours, on the raw
samples (before the pipeline) enlarged ``--scale`` times.
"""
import argparse
import os
import os.path as osp
import sys
from typing import List, Optional

import cv2
import numpy as np
from mmengine.config import DictAction

from m2nist_core import DataFileError
from m2nist_core.inference.visualize import draw_detections, overlay
from m2nist_mm.utils.cli import raw_dataset, tool_config


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config')
    parser.add_argument('--split', default='val',
                        choices=['train', 'val', 'test'])
    parser.add_argument('--num', type=int, default=16)
    parser.add_argument('--cols', type=int, default=4)
    parser.add_argument('--scale', type=int, default=3)
    parser.add_argument('--out', help='default: work_dirs/browse/'
                        '<config>_<split>.png')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def render(sample: dict, scale: int) -> np.ndarray:
    """One sample as a BGR image ``scale`` times its size."""
    img = sample['img']
    if 'gt_seg_map' in sample:
        img = overlay(img, sample['gt_seg_map'])
    insts = sample.get('instances', [])
    return draw_detections(img, dict(
        bboxes=[i['bbox'] for i in insts],
        labels=[i['bbox_label'] for i in insts]), scale)


def grid(tiles: list, cols: int) -> np.ndarray:
    """Tiles in rows of ``cols`` with a 2-pixel grey gutter."""
    h = max(t.shape[0] for t in tiles)
    w = max(t.shape[1] for t in tiles)
    rows = -(-len(tiles) // cols)
    out = np.full((rows * (h + 2), cols * (w + 2), 3), 96, np.uint8)
    for k, tile in enumerate(tiles):
        r, c = divmod(k, cols)
        out[r * (h + 2):r * (h + 2) + tile.shape[0],
            c * (w + 2):c * (w + 2) + tile.shape[1]] = tile
    return out


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    if args.num < 1 or args.cols < 1 or args.scale < 1:
        print('error: --num, --cols and --scale must be >= 1',
              file=sys.stderr)
        return 1
    cfg = tool_config(args.config, args.cfg_options)
    try:
        dataset = raw_dataset(cfg, args.split)
    except (DataFileError, FileNotFoundError, KeyError, ValueError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    num = min(args.num, len(dataset))
    tiles = [render(dataset.get_data_info(i), args.scale)
             for i in range(num)]
    name = osp.splitext(osp.basename(args.config))[0]
    out = args.out or osp.join('work_dirs', 'browse',
                               f'{name}_{args.split}.png')
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    if not cv2.imwrite(out, grid(tiles, args.cols)):
        print(f'error: cannot write {out}', file=sys.stderr)
        return 1
    print(f'{num} samples -> {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
