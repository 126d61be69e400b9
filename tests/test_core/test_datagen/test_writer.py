"""generate_dataset: files, layouts, ground truth, and what the data sets
read."""
import csv
import json
import os.path as osp

import numpy as np
import pytest

from m2nist_core.datagen import (GenerationError, GeneratorOptions, Pool,
                                 generate_dataset)
from m2nist_mm.datasets.m2nist import M2NISTDataset
from m2nist_mm.datasets.m2nist_det import M2NISTDetDataset
from ...conftest import full_data


def mnist_like(n=300, seed=0):
    """``n`` random 'digits' (blobs) with labels 0-9."""
    rng = np.random.RandomState(seed)
    digits = np.where(rng.rand(n, 28, 28) > 0.6,
                      rng.randint(1, 256, (n, 28, 28)), 0).astype(np.uint8)
    digits[:, :4] = 0  # a margin, as MNIST has
    return digits, (np.arange(n) % 10).astype(np.uint8)


def pools(counts=(('train', 12), ('val', 4), ('test', 4))):
    digits, labels = mnist_like()
    return [Pool(split, f'src-{split}', digits, labels, n)
            for split, n in counts]


def rows(root):
    with open(osp.join(root, 'digits.csv')) as f:
        return list(csv.DictReader(f))


def test_compact_layout_and_metadata(tmp_path):
    meta = generate_dataset(str(tmp_path), pools(), progress=False)
    imgs = np.load(tmp_path / 'combined.npy')
    segs = np.load(tmp_path / 'segmented.npy')
    assert imgs.shape == segs.shape == (20, 64, 84)
    assert imgs.dtype == segs.dtype == np.uint8
    assert ((segs == 10) == (imgs == 0)).all()
    assert meta['splits'] == dict(train=[0, 12], val=[12, 16], test=[16, 20])
    saved = json.loads((tmp_path / 'generator.json').read_text())
    assert saved['options']['placement'] == 'm2nist' and saved['seed'] == 1234
    assert not list(tmp_path.glob('.*partial*'))


def test_ground_truth_boxes_are_tight_around_the_labels(tmp_path):
    generate_dataset(str(tmp_path), pools(), progress=False)
    segs = np.load(tmp_path / 'segmented.npy')
    table = rows(tmp_path)
    assert {r['source'] for r in table} == {'src-train', 'src-val',
                                            'src-test'}
    for r in table:
        if not r['x1']:
            continue
        i, cls = int(r['image']), int(r['label'])
        x1, y1, x2, y2 = (int(r[k]) for k in ('x1', 'y1', 'x2', 'y2'))
        x, y = int(r['x']), int(r['y'])
        assert x <= x1 < x2 <= x + 28 and y <= y1 < y2 <= y + 28
        inside = segs[i, y1:y2, x1:x2] == cls
        assert inside[0].any() and inside[-1].any()
        assert inside[:, 0].any() and inside[:, -1].any()


def test_data_sets_read_the_output(tmp_path):
    generate_dataset(str(tmp_path), pools(), progress=False)
    seg = M2NISTDataset(data_root=str(tmp_path), index_range=(12, 16),
                        pipeline=[])
    assert len(seg) == 4
    det = M2NISTDetDataset(data_root=str(tmp_path), index_range=(0, 12),
                           ann_file='annotations/instances.json',
                           pipeline=[])
    derived = M2NISTDetDataset(data_root=str(tmp_path), index_range=(0, 12),
                               pipeline=[])
    table = [r for r in rows(tmp_path) if r['x1'] and int(r['image']) < 12]
    assert sum(len(det[i]['instances']) for i in range(12)) == len(table)
    assert sum(len(derived[i]['instances']) for i in range(12)) > 0


def test_kaggle_layout_soft_and_overlapping(tmp_path):
    opts = GeneratorOptions(img_shape=(60, 60), min_digits=2, max_digits=4,
                            placement='random', max_overlap=0.3,
                            exclusive=False, soft=True)
    generate_dataset(str(tmp_path), pools(), opts, layout='kaggle',
                     progress=False)
    imgs = np.load(tmp_path / 'combined.npy')
    segs = np.load(tmp_path / 'segmented.npy')
    assert imgs.dtype == segs.dtype == np.float32
    assert segs.shape == (20, 60, 60, 11)
    np.testing.assert_allclose(segs[..., :10].max(-1), imgs / 255)
    np.testing.assert_allclose(segs[..., 10], 1 - imgs / 255)


def test_kaggle_layout_int64_reads_as_m2nist(tmp_path):
    generate_dataset(str(tmp_path / 'a'), pools(), dtype='int64',
                     layout='kaggle', progress=False)
    generate_dataset(str(tmp_path / 'b'), pools(), progress=False)
    onehot = np.load(tmp_path / 'a' / 'segmented.npy')
    assert onehot.dtype == np.int64 and (onehot.sum(-1) == 1).all()
    np.testing.assert_array_equal(onehot.argmax(-1),
                                  np.load(tmp_path / 'b' / 'segmented.npy'))


@pytest.mark.parametrize('kwargs,match', [
    (dict(opts=GeneratorOptions(soft=True)), "layout='compact'"),
    (dict(opts=GeneratorOptions(exclusive=False)), "layout='compact'"),
    (dict(dtype='int64'), "dtype applies to layout='kaggle'"),
    (dict(layout='kaggle', dtype='uint8',
          opts=GeneratorOptions(soft=True)), 'float dtype'),
    (dict(layout='coco'), 'layout must be'),
])
def test_bad_output_options(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        generate_dataset(str(tmp_path), pools(), progress=False, **kwargs)


def test_existing_and_unwritable_output(tmp_path):
    generate_dataset(str(tmp_path), pools(), progress=False)
    with pytest.raises(FileExistsError, match='already holds'):
        generate_dataset(str(tmp_path), pools(), progress=False)
    generate_dataset(str(tmp_path), pools(), progress=False, overwrite=True)
    (tmp_path / 'file').write_text('')
    with pytest.raises(OSError, match='cannot create the output folder'):
        generate_dataset(str(tmp_path / 'file' / 'out'), pools(),
                         progress=False)


def test_failed_generation_leaves_nothing(tmp_path):
    opts = GeneratorOptions(img_shape=(56, 56), min_digits=4, max_digits=4,
                            placement='random', max_overlap=0,
                            max_attempts=20)
    with pytest.raises(GenerationError):
        generate_dataset(str(tmp_path), pools(), opts, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['annotations']


@pytest.mark.full_data
def test_the_csv_source_reproduces_m2nist(tmp_path):
    """Kaggle's 42,000 rows, of which the first 1536 are known (the rest
    zeros): all 5000 images drawn; every digit from the known rows is in
    the real image, and images 1817, 3527, 4255 are equal byte for byte."""
    from m2nist_core.datagen import read_digit_csv
    known, known_labels = read_digit_csv(
        full_data('kaggle-digit-recognizer', 'train_first1536.csv'))
    root = full_data('m2nist')
    digits = np.zeros((42000, 28, 28), np.uint8)
    labels = np.zeros(42000, np.uint8)
    digits[:1536], labels[:1536] = known, known_labels
    generate_dataset(str(tmp_path), [Pool('all', 'train.csv', digits, labels,
                                          5000)], progress=False)
    imgs = np.load(tmp_path / 'combined.npy')
    segs = np.load(tmp_path / 'segmented.npy')
    real = np.load(osp.join(root, 'combined.npy'), mmap_mode='r')
    real_seg = np.load(osp.join(root, 'segmented.npy'), mmap_mode='r')
    for i in (1817, 3527, 4255):
        np.testing.assert_array_equal(imgs[i], real[i])
        np.testing.assert_array_equal(segs[i], real_seg[i])
    by_image = {}
    for r in rows(tmp_path):
        if r['pasted'] == '1':
            by_image.setdefault(int(r['image']), []).append(r)
    checked = 0
    for i, digits_of in by_image.items():
        for r in digits_of:
            if int(r['row']) >= 1536:
                continue
            x, y = int(r['x']), int(r['y'])
            own = np.zeros((64, 84), bool)
            own[y:y + 28, x:x + 28] = True
            for other in digits_of:  # unknown digits may cover it
                if other is not r and int(other['row']) >= 1536:
                    ox, oy = int(other['x']), int(other['y'])
                    own[oy:oy + 28, ox:ox + 28] = False
            np.testing.assert_array_equal(imgs[i][own], real[i][own])
            checked += 1
    assert checked > 250  # measured: every digit of the known rows
