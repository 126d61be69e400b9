"""The pixel confusion matrix and the IoUs it gives."""
import numpy as np
import pytest

from m2nist_core.classes import CLASSES
from m2nist_core.confusion import class_iou, confusion, row_normalised
from m2nist_mm.evaluation.metrics.digit_iou import class_map_metrics


def test_iou_from_the_matrix_is_mmsegs():
    rng = np.random.RandomState(0)
    truths = [rng.randint(0, 11, (64, 84)) for _ in range(3)]
    preds = [np.where(rng.rand(64, 84) < 0.8, t, rng.randint(0, 11, t.shape))
             for t in truths]
    matrix = confusion(truths, preds)
    assert matrix.sum() == 3 * 64 * 84
    assert matrix.trace() == sum((t == p).sum() for t, p in zip(truths, preds))
    ref = class_map_metrics(preds, truths, CLASSES)
    ious = class_iou(matrix)
    for k, name in enumerate(CLASSES):
        assert ious[k] == pytest.approx(ref[f'IoU.{name}'], abs=0.01)
    assert np.mean(ious[:10]) == pytest.approx(ref['digit_mIoU'], abs=0.01)
    np.testing.assert_allclose(row_normalised(matrix).sum(1), 100)


def test_absent_classes_and_bad_maps():
    truth = np.full((4, 4), 10)
    truth[0, 0] = 3
    matrix = confusion([truth], [truth])
    ious = class_iou(matrix)
    assert ious[3] == 100 and ious[10] == 100 and np.isnan(ious[0])
    assert row_normalised(matrix)[0].sum() == 0
    with pytest.raises(ValueError, match='image 0: prediction .* differ'):
        confusion([truth], [truth[:2]])
    with pytest.raises(ValueError, match='image 0: prediction has class '
                       'indices outside 0-10'):
        confusion([truth], [truth + 1])
