"""Readers of MNIST IDX files and Kaggle's Digit Recognizer train.csv."""
import gzip

import numpy as np
import pytest

from m2nist_core import DataFileError
from m2nist_core.datagen import read_digit_csv, read_idx, read_mnist
from ...conftest import full_data


def write_idx(path, arr: np.ndarray, magic=None, gz=False, cut=0):
    magic = magic or (0x801 if arr.ndim == 1 else 0x803)
    raw = magic.to_bytes(4, 'big') + b''.join(
        n.to_bytes(4, 'big') for n in arr.shape) + arr.tobytes()
    raw = raw[:len(raw) - cut]
    with open(path, 'wb') as f:
        f.write(gzip.compress(raw) if gz else raw)
    return str(path)


def write_mnist(root, n=5, split='train', gz=True, n_labels=None):
    digits = np.random.RandomState(0).randint(0, 256, (n, 28, 28))
    labels = np.arange(n_labels or n) % 10
    prefix = 'train' if split == 'train' else 't10k'
    ext = '.gz' if gz else ''
    write_idx(root / f'{prefix}-images-idx3-ubyte{ext}',
              digits.astype(np.uint8), gz=gz)
    write_idx(root / f'{prefix}-labels-idx1-ubyte{ext}',
              labels.astype(np.uint8), gz=gz)
    return digits.astype(np.uint8), labels


@pytest.mark.parametrize('gz', [False, True])
def test_idx_round_trip(tmp_path, gz):
    arr = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    np.testing.assert_array_equal(
        read_idx(write_idx(tmp_path / 'x', arr, gz=gz)), arr)


@pytest.mark.parametrize('case,match', [
    (dict(magic=0x802), 'magic number 0x802'),
    (dict(cut=10), 'truncated or padded'),
    (dict(cut=784 * 2 + 8), 'truncated header'),
])
def test_idx_bad_files(tmp_path, case, match):
    arr = np.zeros((2, 28, 28), np.uint8)
    path = write_idx(tmp_path / 'bad-idx', arr, **case)
    with pytest.raises(DataFileError, match=match) as e:
        read_idx(path)
    assert path in str(e.value)


def test_idx_corrupt_gzip(tmp_path):
    path = tmp_path / 'x.gz'
    noise = np.random.RandomState(0).bytes(2000)
    path.write_bytes(gzip.compress(b'\x00\x00\x08\x01' + noise)[:1000])
    with pytest.raises(DataFileError, match='cannot decompress'):
        read_idx(str(path))


def test_idx_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match='no such file'):
        read_idx(str(tmp_path / 'nothing'))


@pytest.mark.parametrize('gz', [False, True])
def test_read_mnist(tmp_path, gz):
    digits, labels = write_mnist(tmp_path, split='test', gz=gz)
    got = read_mnist(str(tmp_path), 't10k')
    np.testing.assert_array_equal(got[0], digits)
    np.testing.assert_array_equal(got[1], labels)
    assert got[1].dtype == np.uint8


def test_read_mnist_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='prepare_data.py'):
        read_mnist(str(tmp_path), 'train')
    write_mnist(tmp_path, n=5, n_labels=4)
    with pytest.raises(DataFileError, match='holds 5 images but'):
        read_mnist(str(tmp_path), 'train')
    with pytest.raises(ValueError, match='unknown split'):
        read_mnist(str(tmp_path), 'val')


@pytest.mark.full_data
def test_real_mnist():
    root = full_data('mnist')
    digits, labels = read_mnist(root, 'test')
    assert digits.shape == (10000, 28, 28) and labels.shape == (10000, )
    assert np.bincount(labels).tolist()[:2] == [980, 1135]


def write_csv(path, rows, header=None):
    header = header or 'label,' + ','.join(f'pixel{i}' for i in range(784))
    path.write_text(header + '\n' + '\n'.join(rows) + '\n')
    return str(path)


def csv_row(label, value=0, n=784):
    return ','.join([str(label)] + [str(value)] * n)


def test_read_digit_csv(tmp_path):
    path = write_csv(tmp_path / 'train.csv', [csv_row(3, 7), csv_row(9, 255)])
    digits, labels = read_digit_csv(path)
    assert digits.shape == (2, 28, 28) and digits.dtype == np.uint8
    assert labels.tolist() == [3, 9] and digits[1].min() == 255


@pytest.mark.parametrize('rows,header,match', [
    ([csv_row(1)], 'label,a,b', 'header is not'),
    ([csv_row(1), csv_row(2, n=300)], None, 'not a table of integers'),
    ([csv_row(1), 'x' + csv_row(2)], None, 'not a table of integers'),
    ([csv_row(1, 256)], None, 'outside 0-255'),
    ([csv_row(10)], None, 'not a digit'),
])
def test_read_digit_csv_errors(tmp_path, rows, header, match):
    path = write_csv(tmp_path / 'train.csv', rows, header)
    with pytest.raises(DataFileError, match=match) as e:
        read_digit_csv(path)
    assert path in str(e.value)


@pytest.mark.full_data
def test_real_csv_matches_loadtxt():
    path = full_data('kaggle-digit-recognizer', 'train_first1536.csv')
    digits, labels = read_digit_csv(path)
    ref = np.loadtxt(path, delimiter=',', skiprows=1, dtype=np.uint8)
    np.testing.assert_array_equal(digits.reshape(-1, 784), ref[:, 1:])
    np.testing.assert_array_equal(labels, ref[:, 0])
