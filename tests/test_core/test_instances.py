"""Digit instances from class masks: the documented rule, case by case."""
import numpy as np
import pytest

from m2nist_core.instances import derive_instances


def blank() -> np.ndarray:
    return np.full((64, 84), 10, np.uint8)


def test_background_only_has_no_instances():
    assert derive_instances(blank()) == []


def test_one_digit_per_class_tight_box():
    mask = blank()
    mask[10:30, 5:20] = 3
    mask[20:45, 40:52] = 7
    assert derive_instances(mask) == [(3, (5, 10, 20, 30)),
                                      (7, (40, 20, 52, 45))]


def test_disconnected_strokes_of_one_digit_are_merged():
    mask = blank()
    mask[10:20, 10:14] = 5   # stroke
    mask[24:34, 10:20] = 5   # another stroke 4 px below
    mask[12, 30] = 5         # a speck 10 px right (within max_gap=10)
    assert derive_instances(mask) == [(5, (10, 10, 31, 34))]


def test_far_apart_digits_of_one_class_stay_apart():
    mask = blank()
    mask[5:25, 2:18] = 1
    mask[30:50, 50:66] = 1
    assert derive_instances(mask) == [(1, (2, 5, 18, 25)),
                                      (1, (50, 30, 66, 50))]


def test_touching_digits_of_one_class_are_cut_at_least_ink():
    mask = blank()
    mask[10:30, 5:25] = 4    # 20 px wide
    mask[15:35, 26:46] = 4   # 20 px wide, joined by a 1-px bridge
    mask[20, 25] = 4
    # joint box 41 px > 28: cut at the thinnest column (25, the bridge)
    assert derive_instances(mask) == [(4, (5, 10, 25, 30)),
                                      (4, (25, 15, 46, 35))]


def test_merge_never_builds_a_box_larger_than_a_digit():
    mask = blank()
    mask[5:25, 2:14] = 8
    mask[30:50, 20:34] = 8   # 5 px below, but the union is 32x45
    assert len(derive_instances(mask)) == 2


@pytest.mark.parametrize('mask,match', [
    (np.full((2, 64, 84), 10, np.uint8), 'expected an'),
    (np.full((64, 84), 11, np.uint8), 'class 11 is not a digit'),
])
def test_bad_masks(mask, match):
    with pytest.raises(ValueError, match=match):
        derive_instances(mask)
