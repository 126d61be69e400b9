"""Readable pictures: enlarged, titled panels over a class legend."""
import numpy as np
import pytest

from m2nist_core.classes import BACKGROUND, PALETTE
from m2nist_core.inference.visualize import (ERROR_BGR, det_panels, legend,
                                             seg_panels)


@pytest.fixture
def scene():
    """A grey image with two digits' ink, its truth and a prediction that
    takes the top third of the '8' for a '6'."""
    img = np.zeros((64, 84), np.uint8)
    img[10:40, 10:30], img[20:50, 50:70] = 200, 255
    truth = np.full((64, 84), BACKGROUND)
    truth[10:40, 10:30], truth[20:50, 50:70] = 3, 8
    pred = truth.copy()
    pred[20:30, 50:70] = 6
    return img, truth, pred


def bgr(c: int) -> list:
    return PALETTE[c][::-1]


def test_seg_panels_show_truth_prediction_and_errors(scene):
    img, truth, pred = scene
    out = seg_panels(img, truth, pred, scale=4)
    w = 4 * 84
    assert out.shape == (20 + 4 * 64 + 22, 3 * w + 2 * 4, 3)
    panel = out[20:20 + 256]
    # truth: the '8' in its colour (blended over white ink); prediction: '6'
    assert np.argmax(panel[4 * 25, 4 * 60]) == np.argmax(bgr(8))
    pred_px = panel[4 * 25, w + 4 + 4 * 60]
    assert np.abs(pred_px.astype(int) - panel[4 * 25, 4 * 60]).sum() > 100
    # errors: exactly the wrong pixels are red, 4x4 each
    errs = panel[:, 2 * (w + 4):]
    red = (errs == ERROR_BGR).all(axis=2)
    assert red.sum() == 16 * (truth != pred).sum() == 16 * 200
    assert red[4 * 25, 4 * 60] and not red[4 * 35, 4 * 60]
    # a legend swatch per digit
    strip = out[-22:]
    for c in range(10):
        assert (strip == bgr(c)).all(axis=2).any()


def test_seg_panels_prediction_alone(scene):
    img, _, pred = scene
    assert seg_panels(img, pred=pred, scale=2).shape == (
        20 + 128 + 22, 168, 3)
    assert seg_panels(img, scale=1).shape == (20 + 64 + 22, 84, 3)


def test_det_panels_draw_boxes_in_class_colours(scene):
    img = scene[0]
    truth = dict(bboxes=np.array([[10., 10, 30, 40], [50, 20, 70, 50]]),
                 labels=np.array([3, 8]))
    pred = dict(truth, scores=np.array([0.95, 0.81]))
    out = det_panels(img, truth, pred)
    assert out.shape == (20 + 256 + 22, 2 * 336 + 4, 3)
    left = out[20:276, :336]
    right = out[20:276, 340:]
    for panel in (left, right):  # box edges in the digit's colour
        assert (panel[4 * 10:4 * 40, 4 * 10] == bgr(3)).all()
        assert (panel[4 * 20:4 * 50, 4 * 50] == bgr(8)).all()


def test_legend_names_the_background():
    strip = legend(400, range(BACKGROUND + 1))
    assert strip.shape == (22, 400, 3)
    assert (strip == bgr(BACKGROUND)).all(axis=2).any()
