"""Reading images for inference: every input kind and every bad one."""
import cv2
import numpy as np
import pytest

from m2nist_core import (DataFileError, m2nist_polarity, read_image,
                         read_inputs, to_gray)
from ..conftest import load_kaggle_sample


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


def m2nist_image() -> np.ndarray:
    return load_kaggle_sample()[0][0].astype(np.uint8)


def test_16_bit_and_alpha_images_are_read(tmp_path):
    img = m2nist_image()
    cv2.imwrite(str(tmp_path / 'deep.png'), img.astype(np.uint16) * 257)
    np.testing.assert_array_equal(read_image(str(tmp_path / 'deep.png')),
                                  img)
    # dark ink drawn on a transparent sheet (as drawing programs save it)
    bgra = np.zeros(img.shape + (4, ), np.uint8)
    bgra[..., 3] = img
    cv2.imwrite(str(tmp_path / 'sheet.png'), bgra)
    ((name, _, grey), ) = read_inputs(str(tmp_path / 'sheet.png'))
    assert name == 'sheet'
    np.testing.assert_array_equal(grey, 255 - img)  # on white paper
    # light ink, opaque: alpha changes nothing
    bgra = np.dstack([img] * 3 + [np.full_like(img, 255)])
    cv2.imwrite(str(tmp_path / 'opaque.png'), bgra)
    np.testing.assert_array_equal(read_inputs(str(tmp_path / 'opaque.png'))
                                  [0][2], img)


def test_polarity_auto_inverts_dark_digits_on_light_paper():
    img = m2nist_image()
    same, note = m2nist_polarity(img, 'auto', 'a.png')
    assert same is img and note == 'kept (light digits on black)'
    back, note = m2nist_polarity(255 - img, 'auto', 'b.png')
    np.testing.assert_array_equal(back, img)
    assert note.startswith('inverted')
    # grey paper: inverted and the background level taken away
    paper = np.clip(230 - img.astype(np.int16), 0, 255).astype(np.uint8)
    back, note = m2nist_polarity(paper, 'auto', 'c.png')
    assert np.median(back) == 0 and 'background level 25 subtracted' in note
    np.testing.assert_array_equal(back, np.minimum(img, 230))
    np.testing.assert_array_equal(m2nist_polarity(255 - img, 'yes')[0], img)
    assert m2nist_polarity(255 - img, 'no')[0] is not img


@pytest.mark.parametrize('img', [
    np.random.RandomState(0).randint(64, 192, (64, 84)).astype(np.uint8),
    np.full((64, 84), 128, np.uint8),
    np.zeros((64, 84), np.uint8),
])
def test_polarity_refuses_images_without_digits_or_background(img):
    with pytest.raises(ValueError, match=r'noise.png: neither light digits '
                       r'on a dark background nor dark .* --invert yes'):
        m2nist_polarity(img, 'auto', 'noise.png')
    with pytest.raises(ValueError, match="invert must be 'auto'"):
        m2nist_polarity(img, 'maybe')
