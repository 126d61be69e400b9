"""Run a model exported by tools/deploy.py on images, without PyTorch.

    python tools/infer.py work_dirs/deploy/fastscnn_ort IMAGES --out-dir OUT

``IMAGES``: PNG/JPG files, ``.npy`` images or batches, or directories of
them. Writes per image ``<name>_mask.png`` and ``<name>_overlay.png``
(segmentors; ``<name>_digits.png`` with a digit classifier) or
``<name>_boxes.png`` and ``<name>.json`` (detectors), and prints the digits
found. Needs no torch and no mm* (docs/inference.md).
"""
import argparse
import json
import os
import os.path as osp
import sys
from typing import List, Optional

import cv2
import numpy as np

from m2nist_core import DataFileError, m2nist_polarity, read_inputs
from m2nist_core.inference import DeployedDetector, load_export
from m2nist_core.inference.visualize import (colorize, det_panels,
                                             digit_panels, digits_found,
                                             seg_panels)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('model', help='tools/deploy.py work dir (or a '
                        'model file in it)')
    parser.add_argument('inputs', nargs='+',
                        help='image files, .npy files or directories')
    parser.add_argument('--out-dir', default='work_dirs/infer')
    parser.add_argument('--device', default='cpu',
                        help='cpu, or cuda:0 for TensorRT')
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument('--save-npy', action='store_true',
                        help='also write each class index map as .npy')
    parser.add_argument('--colour-mask', action='store_true',
                        help='write <name>_colour.png (palette colours)')
    parser.add_argument('--min-pixels', type=int, default=10,
                        help='pixels a digit class needs to count as found')
    parser.add_argument('--score-thr', type=float, default=0.3,
                        help='detectors: the score a box needs to be kept')
    parser.add_argument('--invert', choices=('auto', 'yes', 'no'),
                        default='auto',
                        help='make dark digits on a light background light '
                        'on black, as in M2NIST (auto: decided per image '
                        'from its background level)')
    args = parser.parse_args(argv)
    if args.batch_size < 1 or args.min_pixels < 1:
        parser.error('--batch-size and --min-pixels must be at least 1')
    if not 0 <= args.score_thr <= 1:
        parser.error('--score-thr must be in [0, 1]')
    return args


def check_outputs(items: list, args: argparse.Namespace) -> None:
    """Refuse outputs that would overwrite each other or the inputs."""
    sources = {}
    for name, source, _ in items:
        if name in sources:
            raise ValueError(f'{sources[name]} and {source} would both write '
                             f'{name}_*.png; infer them separately')
        sources[name] = source
    out = osp.realpath(args.out_dir)
    for path in args.inputs:
        folder = osp.realpath(path if osp.isdir(path) else osp.dirname(path))
        if folder == out:
            raise ValueError(f'--out-dir {args.out_dir} holds the input '
                             f'{path}: choose another output dir')


def write_png(path: str, img: np.ndarray) -> None:
    if not cv2.imwrite(path, img):
        raise OSError(f'cannot write {path}')


def write_segmentation(stem: str, img: np.ndarray, result: tuple,
                       args: argparse.Namespace) -> str:
    label, digits = result
    write_png(f'{stem}_mask.png', label)
    write_png(f'{stem}_overlay.png', seg_panels(img, pred=label))
    if args.colour_mask:
        write_png(f'{stem}_colour.png', colorize(label))
    if args.save_npy:
        np.save(f'{stem}.npy', label)
    found = digits_found(label, args.min_pixels)
    text = f'digits {sorted(found) or "none"} (pixels: {found})'
    if digits:
        write_png(f'{stem}_digits.png', digit_panels(digits))
        text += '; left to right: ' + ', '.join(d.describe() for d in digits)
    return text


def write_detections(stem: str, img: np.ndarray, dets: dict,
                     args: argparse.Namespace) -> str:
    write_png(f'{stem}_boxes.png', det_panels(img, pred=dets))
    with open(f'{stem}.json', 'w') as f:
        json.dump({k: v.tolist() for k, v in dets.items()}, f)
    order = np.argsort(dets['bboxes'][:, 0])  # left to right
    found = [f'{dets["labels"][i]} ({dets["scores"][i]:.2f})' for i in order]
    return f'digits left to right: {", ".join(found) or "none"}'


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    try:
        model = load_export(args.model, device=args.device)
        items, notes = [], {}
        for path in args.inputs:
            for name, source, img in read_inputs(path):
                img, notes[source] = m2nist_polarity(img, args.invert,
                                                     source)
                items.append((name, source, img))
        check_outputs(items, args)
        for _, source, img in items:  # refuse bad sizes before any output
            model.check_size(source, model.preprocess.resize(img)[0].shape)
    except (DataFileError, FileNotFoundError, ValueError,
            RuntimeError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    detector = isinstance(model, DeployedDetector)
    os.makedirs(args.out_dir, exist_ok=True)
    for i in range(0, len(items), args.batch_size):
        chunk = items[i:i + args.batch_size]
        imgs, names = [c[2] for c in chunk], [c[1] for c in chunk]
        if detector:
            outs = model(imgs, names, score_thr=args.score_thr)
        else:
            outs = model.predict(imgs, names)
        write = write_detections if detector else write_segmentation
        for (name, source, img), out in zip(chunk, outs):
            found = write(osp.join(args.out_dir, name), img, out, args)
            print(f'{name}: {found}; image {notes[source]}')
    print(f'{len(items)} image(s) -> {args.out_dir} ({model.backend})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
