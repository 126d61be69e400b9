"""m2nist_core.naming: digits grouped, cropped and named whole."""
import numpy as np
import pytest

from m2nist_core.naming import (SHIFTS, box_crops, class_map, connected_digits,
                                digit_crops, fit_boxes, ink_regions,
                                name_boxes, name_digits, shifted_probs,
                                true_digit_crops, true_digits)


def stroke(fg: np.ndarray, y: slice, x: slice) -> None:
    fg[y, x] = True


def by_width(crops: np.ndarray) -> np.ndarray:
    """A stand-in classifier: ink 5 columns wide and 16 high is surely a
    1, 19 wide and 20 high surely a 0; other shapes are a 0 (wider than 6
    columns) or a 1, unsurely."""
    ink = crops[:, 0] > 0
    cols, rows = ink.any(1).sum(1), ink.any(2).sum(1)
    sure = ((cols == 5) & (rows == 16)) | ((cols == 19) & (rows == 20))
    probs = np.where(sure, 0.01, 0.07)[:, None].repeat(10, 1)
    probs[np.arange(len(crops)), (cols <= 6).astype(int)] = np.where(
        sure, 0.91, 0.37)
    return probs.astype(np.float32)


def test_a_digit_in_two_pieces_gets_one_name():
    fg = np.zeros((64, 84), bool)
    stroke(fg, slice(10, 19), slice(20, 25))  # the top of a broken 1
    stroke(fg, slice(21, 30), slice(20, 25))  # its bottom, 2 px below
    stroke(fg, slice(6, 8), slice(21, 23))  # a 4-pixel speck above it
    labels = connected_digits(fg)
    assert labels.max() == 1 and (labels > 0).sum() == fg.sum()
    labels, digits = name_digits(fg.astype(np.float32), fg, by_width)
    assert len(digits) == 1 and digits[0].label == 1
    assert set(np.unique(class_map(labels, digits))) == {1, 10}


def test_two_touching_digits_get_two_names():
    """A 0 (19 columns) touching a 1 (5 columns): one component, 24
    columns wide, cut where the classifier is surest of both parts."""
    fg = np.zeros((64, 84), bool)
    stroke(fg, slice(10, 30), slice(10, 29))  # a wide digit
    stroke(fg, slice(12, 28), slice(29, 34))  # a narrow one touching it
    assert connected_digits(fg).max() == 1
    labels, digits = name_digits(fg.astype(np.float32), fg, by_width)
    assert [d.label for d in digits] == [0, 1]
    assert [d.box for d in digits] == [(10, 10, 29, 30), (29, 12, 34, 28)]
    named = class_map(labels, digits)
    assert (named[15, 10:29] == 0).all() and (named[15, 29:34] == 1).all()


def test_digits_far_apart_stay_apart():
    fg = np.zeros((64, 84), bool)
    stroke(fg, slice(10, 30), slice(5, 10))
    stroke(fg, slice(10, 30), slice(40, 59))
    labels, digits = name_digits(fg.astype(np.float32), fg, by_width)
    assert [d.label for d in digits] == [1, 0]
    assert (labels[fg] > 0).all() and not labels[~fg].any()


def test_crops_are_centred_and_hold_one_digit():
    image = np.zeros((64, 84), np.float32)
    image[20:24, 30:34] = 1.0
    image[20:24, 60:64] = 0.5
    labels = (image > 0).astype(np.int32)
    labels[:, 50:] *= 2
    crops = digit_crops(image, labels)
    assert crops.shape == (2, 28, 28)
    # centre of mass (21.5, 31.5) -> rows 12-15 of the crop, ink alone
    assert (crops[0, 12:16, 12:16] == 1).all() and crops[0].sum() == 16
    assert crops[1].sum() == 8


def test_a_crop_at_the_border_is_padded_black():
    image = np.zeros((64, 84), np.float32)
    image[0:3, 0:3] = 1
    crops = digit_crops(image, (image > 0).astype(np.int32))
    assert crops[0].sum() == 9 and crops[0, 13:16, 13:16].sum() == 9


def test_nothing_to_name():
    fg = np.zeros((64, 84), bool)
    labels, digits = name_digits(np.zeros((64, 84), np.float32), fg, by_width)
    assert digits == [] and not labels.any()
    assert (class_map(labels, digits) == 10).all()


def test_mismatched_shapes_are_refused():
    with pytest.raises(ValueError, match=r'\(64, 84\) and \(64, 80\)'):
        name_digits(np.zeros((64, 84)), np.zeros((64, 80), bool), by_width)


def test_true_digits_skip_covered_corners():
    mask = np.full((64, 84), 10, np.uint8)
    mask[10:30, 10:20] = 7   # a digit
    mask[10:30, 40:50] = 7   # another 7
    mask[40:44, 70:74] = 3   # 16 px: the visible corner of a covered 3
    labels, classes = true_digits(mask)
    assert classes.tolist() == [7, 7]
    assert labels.max() == 2 and not labels[40:44, 70:74].any()


def test_true_digit_crops_hold_every_image_s_digits_unchanged():
    images = np.zeros((2, 64, 84), np.uint8)
    masks = np.full((2, 64, 84), 10, np.uint8)
    images[0, 10:30, 10:20], masks[0, 10:30, 10:20] = 200, 7
    images[0, 10:30, 40:50], masks[0, 10:30, 40:50] = 90, 2
    images[1, 40:44, 70:74], masks[1, 40:44, 70:74] = 50, 3  # too small
    crops, classes = true_digit_crops(images, masks)
    assert crops.dtype == np.uint8 and crops.shape == (2, 28, 28)
    assert classes.tolist() == [2, 7]  # by class, as true_digits
    assert sorted(np.unique(crops[1])) == [0, 200]
    assert (crops[0] == 90).sum() == 200  # the whole digit, centred
    assert crops[0, 4:24, 10:20].min() == 90
    none = true_digit_crops(images[1:], masks[1:])
    assert none[0].shape == (0, 28, 28) and none[1].dtype == np.int64


def test_the_foreground_is_the_ink_the_segmenter_marks():
    """A faint pixel the segmenter missed joins its digit; a pixel without
    ink it took for a digit does not; ink it marks nowhere stays out."""
    image = np.zeros((64, 84), np.float32)
    image[10:30, 10:15] = 1.0       # a digit
    image[30, 15] = 0.01            # its faint tail
    image[40:45, 60:65] = 1.0       # ink the segmenter calls background
    fg = image >= 0.5
    fg[40:45, 60:65] = False
    fg[5, 70] = True                # no ink there
    found = ink_regions(image, fg)
    assert found[30, 15] and found[10:30, 10:15].all()
    assert not found[5, 70] and not found[40:45, 60:65].any()
    labels, digits = name_digits(image, fg, by_width)
    assert len(digits) == 1 and labels[30, 15] == 1 and labels[5, 70] == 0
    labels, digits = name_digits(image, fg, by_width, ink_level=None)
    assert labels[5, 70] > 0 and labels[30, 15] == 0


def test_probabilities_are_averaged_over_shifted_crops():
    crops = np.zeros((2, 28, 28), np.float32)
    crops[:, 10:18, 12:16] = 1
    seen = []

    def ink_in_column_16(batch: np.ndarray) -> np.ndarray:
        """Surely a 1 when column 16 holds ink, else surely a 0."""
        seen.append(len(batch))
        one = batch[:, 0, :, 16].any(1).astype(np.float32)
        return np.stack([1 - one, one] + [0 * one] * 8, 1)

    probs = shifted_probs(ink_in_column_16, crops)
    assert seen == [len(SHIFTS) * 2]  # one call for all shifts
    # only the crop moved one column right holds ink in column 16
    np.testing.assert_allclose(probs[:, 1], 1 / len(SHIFTS))
    assert probs.shape == (2, 10)
    assert shifted_probs(ink_in_column_16, crops[:0]).shape == (0, 10)


def test_box_crops_hold_the_ink_inside_each_box():
    """Overlapping boxes: a pixel inside two boxes is in both crops; ink
    outside a box is not in its crop; a box without ink gives zeros."""
    image = np.zeros((64, 84), np.float32)
    image[10:26, 20:25] = 1.0  # a 1, 5 columns wide
    image[10:30, 30:49] = 0.5  # a 0's box, 19 wide, touching nothing
    boxes = np.array([[19.6, 9.2, 25.0, 26.0], [24, 10, 49, 30],
                      [60, 40, 70, 50]], np.float32)
    crops = box_crops(image, boxes)
    assert crops.shape == (3, 28, 28)
    assert crops[0].sum() == image[10:26, 20:25].sum()
    assert crops[1].sum() == image[10:26, 24].sum() + image[:, 30:].sum()
    assert not crops[2].any()
    # centred on the centre of ink mass: the 1's 16 rows about row 14
    rows = np.nonzero(crops[0].any(1))[0]
    assert (rows.min(), rows.max()) == (6, 21)


def test_boxes_are_fitted_to_the_ink_within_a_pixel():
    """A box a pixel too small grows to its digit's ink, one too large
    shrinks to it; ink two pixels away stays out; an inkless box stays."""
    image = np.zeros((64, 84), np.float32)
    image[10:26, 20:25] = 1.0  # a 1: box (20, 10, 25, 26)
    image[12:20, 27:29] = 0.5  # the next digit's ink, 2 columns right
    image[40:50, 80:84] = 1.0  # ink at the right edge
    boxes = np.array([[20.7, 10.2, 24.0, 25.1],  # too small
                      [18.5, 9.0, 25.4, 27.0],  # too large
                      [79.2, 39.5, 83.0, 49.0],  # SDK-clipped at the edge
                      [40, 40, 50, 50]], np.float32)  # no ink
    fitted = fit_boxes(image, boxes)
    assert fitted.dtype == np.float32
    np.testing.assert_array_equal(fitted, [[20, 10, 25, 26], [20, 10, 25, 26],
                                           [80, 40, 84, 50], [40, 40, 50, 50]])
    assert fit_boxes(image, boxes[:0]).shape == (0, 4)
    fitted, probs = name_boxes(image, boxes[:1], by_width)
    np.testing.assert_array_equal(fitted, [[20, 10, 25, 26]])
    # named on the fitted box: the 1's whole ink, 5 columns and 16 rows
    assert probs.shape == (1, 10) and probs[0].argmax() == 1
    assert probs[0, 1] == pytest.approx(0.91)


def test_name_boxes_refuses_bad_shapes():
    with pytest.raises(ValueError, match='name_boxes'):
        name_boxes(np.zeros((64, 84)), np.zeros((2, 5)), by_width)
    with pytest.raises(ValueError, match='name_boxes'):
        name_boxes(np.zeros((1, 64, 84)), np.zeros((2, 4)), by_width)
