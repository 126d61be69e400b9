"""Run a model exported by tools/deploy.py on images, without PyTorch.

    python tools/infer.py work_dirs/deploy/fastscnn_ort IMAGES --out-dir OUT

``IMAGES``: a PNG/JPG, an ``.npy`` (one image or a batch ``(N, H, W)``) or
a directory of those. For each image it writes ``<name>_mask.png`` (class
index per pixel: digit 0-9, 10 background), ``<name>_overlay.png`` and,
with ``--save-npy``, ``<name>.npy``; and prints the digits found. With ONNX
Runtime it needs only numpy, onnxruntime and OpenCV (no torch, no mm*).
"""
import argparse
import os
import os.path as osp
import sys

import cv2
import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from m2nist_runtime import DataFileError, DeployedModel, read_inputs  # noqa
from m2nist_runtime.visualize import colorize, digits_found, overlay  # noqa


def parse_args() -> argparse.Namespace:
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
    args = parser.parse_args()
    if args.batch_size < 1 or args.min_pixels < 1:
        parser.error('--batch-size and --min-pixels must be at least 1')
    return args


def check_outputs(items: list, args: argparse.Namespace) -> None:
    """Refuse outputs that would overwrite each other or the inputs."""
    sources = {}
    for name, source, _ in items:
        if name in sources:
            raise ValueError(f'{sources[name]} and {source} would both write '
                             f'{name}_mask.png; infer them separately')
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


def main() -> int:
    args = parse_args()
    try:
        model = DeployedModel(args.model, device=args.device)
        items = [item for path in args.inputs for item in read_inputs(path)]
        check_outputs(items, args)
        for _, source, img in items:  # refuse bad sizes before any output
            model.check_size(source, img.shape)
    except (DataFileError, FileNotFoundError, ValueError,
            RuntimeError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    os.makedirs(args.out_dir, exist_ok=True)
    for i in range(0, len(items), args.batch_size):
        chunk = items[i:i + args.batch_size]
        labels = model([img for _, _, img in chunk],
                       [source for _, source, _ in chunk])
        for (name, _, img), label in zip(chunk, labels):
            stem = osp.join(args.out_dir, name)
            write_png(f'{stem}_mask.png', label)
            write_png(f'{stem}_overlay.png', overlay(img, label))
            if args.colour_mask:
                write_png(f'{stem}_colour.png', colorize(label))
            if args.save_npy:
                np.save(f'{stem}.npy', label)
            found = digits_found(label, args.min_pixels)
            print(f'{name}: digits {sorted(found) or "none"} '
                  f'(pixels: {found})')
    print(f'{len(items)} image(s) -> {args.out_dir} ({model.backend})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
