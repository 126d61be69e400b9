"""Digit confusion matrix and per-class IoU bars of a segmentation model.

    # from a checkpoint: the model runs on the split's images
    CKPT=work_dirs/m2nist_fastscnn/iter_2000.pth
    python tools/analysis_tools/confusion_matrix.py \\
        configs/m2nist_fastscnn.py $CKPT
    # from the class maps tools/test.py --out wrote
    python tools/test.py configs/m2nist_fastscnn.py $CKPT --out work_dirs/preds
    python tools/analysis_tools/confusion_matrix.py \\
        configs/m2nist_fastscnn.py work_dirs/preds

Writes ``confusion_matrix.png``, ``class_iou.png`` and ``confusion.json``
into ``--out-dir`` (default ``work_dirs/analysis/<config>``) and prints the
digits most often taken for another (docs/visualization.md).
"""
import argparse
import json
import os
import os.path as osp
import sys
from typing import List, Optional

import cv2
import numpy as np
from mmengine.config import Config, DictAction

from m2nist_core import BACKGROUND, CLASSES, PALETTE, DataFileError
from m2nist_core.confusion import class_iou, confusion, row_normalised
from m2nist_core.splits import sample_name
from m2nist_mm.utils.cli import raw_dataset, tool_config

#: Axis labels: the digits, then the background.
NAMES = [*CLASSES[:BACKGROUND], 'bg']


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='a segmentation config')
    parser.add_argument('predictions', help='a checkpoint, or the folder of '
                        'class maps tools/test.py --out wrote')
    parser.add_argument('--split', default='test',
                        choices=['train', 'val', 'test'])
    parser.add_argument('--out-dir')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def read_maps(folder: str, samples: list) -> List[np.ndarray]:
    """The class map ``<sample name>.png`` of each sample from ``folder``."""
    maps = []
    for info in samples:
        path = osp.join(folder, sample_name(info['img_path'],
                                            info.get('img_idx')) + '.png')
        if not osp.isfile(path):
            raise FileNotFoundError(f'{path}: no prediction for this sample '
                                    '(write them with tools/test.py --out)')
        label = cv2.imread(path, cv2.IMREAD_UNCHANGED)
        if label is None or label.ndim != 2:
            raise DataFileError(f'{path}: not a one-channel class map')
        maps.append(label)
    return maps


def predict(cfg: Config, checkpoint: str, samples: list) -> List[np.ndarray]:
    """The model's class maps of the samples' images."""
    from m2nist_mm.apis import load_model, torch_predict
    return torch_predict(load_model(cfg, checkpoint),
                         [info['img'] for info in samples])


def plot(matrix: np.ndarray, ious: np.ndarray, out_dir: str,
         title: str) -> None:
    """Write ``confusion_matrix.png`` and ``class_iou.png``."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    pct = row_normalised(matrix)
    fig, ax = plt.subplots(figsize=(8, 7))
    ax.imshow(pct, cmap='Blues', vmin=0, vmax=100)
    for (i, j), count in np.ndenumerate(matrix):
        if count:
            ax.text(j, i, f'{pct[i, j]:.1f}\n{count}', ha='center',
                    va='center', fontsize=6,
                    color='white' if pct[i, j] > 60 else 'black')
    ax.set_xticks(range(len(NAMES)), NAMES)
    ax.set_yticks(range(len(NAMES)), NAMES)
    ax.set_xlabel('predicted class')
    ax.set_ylabel('true class')
    ax.set_title(f'{title}: % of each true class\'s pixels (count)')
    fig.tight_layout()
    fig.savefig(osp.join(out_dir, 'confusion_matrix.png'), dpi=120)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(8, 3.5))
    colours = [np.array(c) / 255 for c in PALETTE[:BACKGROUND]] + ['grey']
    ax.bar(NAMES, np.nan_to_num(ious), color=colours, edgecolor='black')
    digit = float(np.nanmean(ious[:BACKGROUND]))
    ax.axhline(digit, color='red', linestyle='--')
    for x, v in enumerate(ious):
        if not np.isnan(v):
            ax.text(x, v + 0.5, f'{v:.1f}', ha='center', fontsize=7)
    low = np.nanmin(ious)
    ax.set_ylim(max(0, low - 5), 101)
    ax.set_ylabel('IoU (%)')
    ax.set_title(f'{title}: IoU per class (dashed: digit mIoU {digit:.2f})')
    fig.tight_layout()
    fig.savefig(osp.join(out_dir, 'class_iou.png'), dpi=120)
    plt.close(fig)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    cfg = tool_config(args.config, args.cfg_options)
    if cfg.get('default_scope', 'mmseg') != 'mmseg':
        print(f'error: {args.config} is not a segmentation config',
              file=sys.stderr)
        return 1
    try:
        dataset = raw_dataset(cfg, args.split)
        samples = [dataset.get_data_info(i) for i in range(len(dataset))]
        if osp.isdir(args.predictions):
            preds = read_maps(args.predictions, samples)
        elif osp.isfile(args.predictions):
            preds = predict(cfg, args.predictions, samples)
        else:
            raise FileNotFoundError(f'{args.predictions}: no such '
                                    'checkpoint or folder')
        matrix = confusion([s['gt_seg_map'] for s in samples], preds)
    except (DataFileError, FileNotFoundError, KeyError, ValueError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    ious = class_iou(matrix)
    name = osp.splitext(osp.basename(args.config))[0]
    out_dir = args.out_dir or osp.join('work_dirs', 'analysis', name)
    os.makedirs(out_dir, exist_ok=True)
    plot(matrix, ious, out_dir, f'{name}, {args.split}')
    with open(osp.join(out_dir, 'confusion.json'), 'w') as f:
        json.dump(dict(classes=NAMES, split=args.split,
                       confusion=matrix.tolist(),
                       iou={n: None if np.isnan(v) else round(float(v), 4)
                            for n, v in zip(NAMES, ious)}), f, indent=1)
    digits = matrix[:BACKGROUND, :BACKGROUND].copy()
    np.fill_diagonal(digits, 0)
    worst = np.dstack(np.unravel_index(np.argsort(-digits, axis=None)[:5],
                                       digits.shape))[0]
    pairs = [f'{t} as {p}: {digits[t, p]} px' for t, p in worst
             if digits[t, p]]
    print(f'{len(samples)} images ({args.split}); digit mIoU '
          f'{np.nanmean(ious[:BACKGROUND]):.2f}; digits taken for another: '
          f'{", ".join(pairs) or "none"}')
    print(f'-> {out_dir}/confusion_matrix.png, class_iou.png, '
          'confusion.json')
    return 0


if __name__ == '__main__':
    sys.exit(main())
