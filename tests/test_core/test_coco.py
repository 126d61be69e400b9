"""COCO JSON of M2NIST instances: written, read back, malformed files."""
import json

import pytest

from m2nist_core import DataFileError
from m2nist_core.coco import read_coco, to_coco

INSTANCES = [[(3, (5, 10, 20, 30)), (7, (40, 20, 52, 45))], []]


def write(tmp_path, coco) -> str:
    path = tmp_path / 'ann.json'
    path.write_text(json.dumps(coco))
    return str(path)


def test_roundtrip(tmp_path):
    coco = to_coco(INSTANCES, 100, 'combined.npy', (64, 84))
    assert [img['id'] for img in coco['images']] == [100, 101]
    assert coco['annotations'][0]['bbox'] == [5, 10, 15, 20]
    assert [c['id'] for c in coco['categories']] == list(range(10))
    got = read_coco(write(tmp_path, coco), range(100, 102), (64, 84))
    assert got == {100: INSTANCES[0], 101: []}


@pytest.mark.parametrize('edit,match', [
    (lambda c: c['annotations'][0].update(category_id=12),
     'unknown class 12'),
    (lambda c: c['annotations'][0].update(bbox=[80, 10, 10, 10]),
     'outside the 84x64 image'),
    (lambda c: c['annotations'][0].update(bbox=[5, 10, 0, 10]),
     'is empty'),
    (lambda c: c['annotations'][0].update(image_id=7),
     'unknown image 7'),
    (lambda c: c['annotations'][0].update(iscrowd=1), 'crowd'),
    (lambda c: c['images'].pop(1), 'no entry for image 101'),
    (lambda c: c.pop('annotations'), 'not a COCO detection JSON'),
])
def test_malformed_files_name_the_file(tmp_path, edit, match):
    coco = to_coco(INSTANCES, 100, 'combined.npy', (64, 84))
    edit(coco)
    path = write(tmp_path, coco)
    with pytest.raises(DataFileError, match=match) as err:
        read_coco(path, range(100, 102), (64, 84))
    assert path in str(err.value)


def test_not_json_and_missing(tmp_path):
    bad = tmp_path / 'bad.json'
    bad.write_text('{not json')
    with pytest.raises(DataFileError, match='bad.json: not a COCO'):
        read_coco(str(bad), range(1), (64, 84))
    with pytest.raises(FileNotFoundError, match='nothing.json'):
        read_coco(str(tmp_path / 'nothing.json'), range(1), (64, 84))
