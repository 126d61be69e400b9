"""Write M2NIST's digit instances as COCO detection JSON, one file a split.

    python tools/dataset_converters/m2nist2coco.py data/m2nist [--out-dir DIR]

Instances are derived from the class masks (docs/detection.md); image ids
are indices in ``combined.npy``, category ids the digits.
"""
import argparse
import json
import os
import os.path as osp
import sys
from typing import List, Optional

from m2nist_core import DataFileError
from m2nist_core.classes import CLASSES
from m2nist_core.coco import to_coco
from m2nist_core.instances import derive_instances
from m2nist_core.splits import SPLITS, read_split, split_range


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('data_root', help='folder with combined.npy and '
                        'segmented.npy')
    parser.add_argument('--out-dir', help='default: DATA_ROOT/annotations')
    parser.add_argument('--splits', nargs='+', default=list(SPLITS),
                        choices=list(SPLITS))
    parser.add_argument('--img-file', default='combined.npy')
    parser.add_argument('--seg-file', default='segmented.npy')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    out_dir = args.out_dir or osp.join(args.data_root, 'annotations')
    try:
        for split in args.splits:
            rng = split_range('m2nist2coco', split, None)
            _, _, _, masks = read_split(args.data_root, args.img_file,
                                        args.seg_file, rng, (64, 84),
                                        len(CLASSES))
            coco = to_coco([derive_instances(m) for m in masks], rng[0],
                           args.img_file, masks.shape[1:])
            os.makedirs(out_dir, exist_ok=True)
            path = osp.join(out_dir, f'instances_{split}.json')
            with open(path, 'w') as f:
                json.dump(coco, f)
            print(f'{split}: {len(coco["images"])} images, '
                  f'{len(coco["annotations"])} digits -> {path}')
    except (DataFileError, FileNotFoundError, ValueError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
