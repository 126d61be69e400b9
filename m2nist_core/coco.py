"""M2NIST digit instances as COCO JSON (image id: index in
``combined.npy``, category id: the digit): writing and validated reading."""
import json
from typing import Dict, List, Sequence, Tuple

from .arrays import DataFileError
from .classes import DIGITS
from .instances import Instance


def to_coco(instances: Sequence[List[Instance]], first_id: int,
            img_file: str, img_shape: Tuple[int, int]) -> dict:
    """COCO detection dict of the ``instances`` of images ``first_id,
    first_id + 1, ...`` of ``img_shape`` (``file_name``
    ``<img_file>#<id>``): ``images``, ``annotations`` (ids from 1) and the
    ten digit ``categories``."""
    h, w = img_shape
    images, annotations = [], []
    for img_id, insts in enumerate(instances, first_id):
        images.append(dict(id=img_id, file_name=f'{img_file}#{img_id}',
                           height=h, width=w))
        for cls, (x1, y1, x2, y2) in insts:
            annotations.append(
                dict(id=len(annotations) + 1, image_id=img_id,
                     category_id=cls, bbox=[x1, y1, x2 - x1, y2 - y1],
                     area=(x2 - x1) * (y2 - y1), iscrowd=0))
    return dict(images=images, annotations=annotations,
                categories=[dict(id=d, name=name)
                            for d, name in enumerate(DIGITS)])


def _bad(path: str, what: str) -> DataFileError:
    return DataFileError(f'{path}: {what}')


def read_coco(path: str, img_ids: range,
              img_shape: Tuple[int, int]) -> Dict[int, List[Instance]]:
    """Instances per image id in ``img_ids`` from a COCO JSON file.

    Returns:
        ``{image id: [(class, (x1, y1, x2, y2)), ...]}`` for every id in
        ``img_ids`` (other images' annotations are skipped), ``x2``/``y2``
        exclusive; boxes must lie inside ``img_shape``.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        DataFileError: Unreadable, or unknown categories or images, boxes
            empty or outside the image, crowd annotations.
    """
    try:
        with open(path) as f:
            coco = json.load(f)
        anns, images = coco['annotations'], coco['images']
    except FileNotFoundError:
        raise FileNotFoundError(f'annotation file not found: {path}')
    except (ValueError, KeyError, TypeError) as e:
        raise _bad(path, f'not a COCO detection JSON ({e!r})') from e
    h, w = img_shape
    known = {img['id'] for img in images}
    missing = [i for i in img_ids if i not in known]
    if missing:
        raise _bad(path, f'has no entry for image {missing[0]} '
                   f'({len(missing)} of the split missing)')
    out: Dict[int, List[Instance]] = {i: [] for i in img_ids}
    for ann in anns:
        img_id, cls = ann.get('image_id'), ann.get('category_id')
        if img_id not in known:
            raise _bad(path, f'annotation {ann.get("id")} refers to unknown '
                       f'image {img_id}')
        if img_id not in out:
            continue
        if cls not in range(len(DIGITS)):
            raise _bad(path, f'annotation {ann.get("id")} has unknown class '
                       f'{cls!r} (expected a digit 0-9)')
        if ann.get('iscrowd', 0):
            raise _bad(path, f'annotation {ann.get("id")} is a crowd region; '
                       'M2NIST annotations are single digits')
        x, y, bw, bh = ann['bbox']
        if not (bw > 0 and bh > 0 and x >= 0 and y >= 0 and x + bw <= w
                and y + bh <= h):
            raise _bad(path, f'annotation {ann.get("id")}: box {ann["bbox"]} '
                       f'is empty or outside the {w}x{h} image')
        out[img_id].append((cls, (x, y, x + bw, y + bh)))
    return out
