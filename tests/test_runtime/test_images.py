"""Reading images for inference: every input kind and every bad one."""
import cv2
import numpy as np
import pytest

from m2nist_runtime import DataFileError, read_inputs, to_gray


def test_input_kinds(tmp_path):
    rng = np.random.RandomState(0)
    grey = rng.randint(0, 256, (64, 84)).astype(np.uint8)
    cv2.imwrite(str(tmp_path / 'a.png'), grey)
    cv2.imwrite(str(tmp_path / 'b.png'), np.dstack([grey] * 3))
    cv2.imwrite(str(tmp_path / 'c.jpg'), grey)
    np.save(tmp_path / 'd.npy', grey.astype(np.float32))
    np.save(tmp_path / 'e.npy', np.stack([grey, grey[::-1]]))
    (tmp_path / 'notes.txt').write_text('ignored: not an image')
    items = {name: img for name, _, img in read_inputs(str(tmp_path))}
    assert sorted(items) == ['a', 'b', 'c', 'd', 'e_0', 'e_1']
    for name in ('a', 'b', 'd', 'e_0'):
        np.testing.assert_array_equal(items[name], grey)
    np.testing.assert_array_equal(items['e_1'], grey[::-1])
    assert items['c'].shape == (64, 84)  # JPEG: lossy, but grey and 2-D
    assert [(n, src) for n, src, _ in read_inputs(str(tmp_path / 'e.npy'))] \
        == [('e_0', f'{tmp_path}/e.npy[0]'), ('e_1', f'{tmp_path}/e.npy[1]')]


def test_to_gray_matches_opencv():
    bgr = np.random.RandomState(1).randint(0, 256, (5, 7, 3)).astype(
        np.uint8)
    np.testing.assert_array_equal(to_gray(bgr),
                                  cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY))
    with pytest.raises(ValueError, match='x.png: expected a grey or BGR'):
        to_gray(np.zeros((4, 4, 4), np.uint8), 'x.png')


@pytest.mark.parametrize('name,write,match', [
    ('rgba.png', lambda p: cv2.imwrite(p, np.zeros((8, 8, 4), np.uint8)),
     r'expected one image, \(H, W\) or \(H, W, 1\|3\), got shape \(8, 8, 4\)'),
    ('deep.png', lambda p: cv2.imwrite(p, np.zeros((8, 8), np.uint16)),
     'uint16 pixels, expected 8-bit'),
    ('broken.png', lambda p: open(p, 'wb').write(b'not a png'),
     'cannot be decoded as an image'),
    ('nan.npy', lambda p: np.save(p, np.full((8, 8), np.nan)), 'NaN'),
    ('range.npy', lambda p: np.save(p, np.full((8, 8), 300.0)),
     'outside 0-255'),
    ('five.npy', lambda p: np.save(p, np.zeros((2, 8, 8, 5), np.uint8)),
     r'expected a batch, \(N, H, W\) or \(N, H, W, 1\|3\)'),
    ('obj.npy', lambda p: np.save(p, np.array([{}], object)), 'pickle'),
    ('notes.txt', lambda p: open(p, 'w').write('x'),
     'not an .npy or image file'),
])
def test_bad_inputs_name_the_file(tmp_path, name, write, match):
    path = str(tmp_path / name)
    write(path)
    with pytest.raises(DataFileError, match=match) as e:
        read_inputs(path)
    assert name in str(e.value)


def test_empty_directory_and_missing_file(tmp_path):
    with pytest.raises(DataFileError, match='no .npy or image files'):
        read_inputs(str(tmp_path))
    with pytest.raises(FileNotFoundError, match='gone.png'):
        read_inputs(str(tmp_path / 'gone.png'))
