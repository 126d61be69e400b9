import numpy as np
import pytest
import torch
from PIL import Image

from m2nist_mm.evaluation import DigitIoUMetric, class_map_metrics

CLASSES = tuple('0123456789') + ('background', )


def sample(pred, gt, idx=4500):
    return dict(
        pred_sem_seg=dict(data=torch.as_tensor(pred)[None]),
        gt_sem_seg=dict(data=torch.as_tensor(gt)[None]),
        img_path='/data/combined.npy',
        img_idx=idx)


def run(metric, pairs):
    metric.dataset_meta = dict(classes=CLASSES)
    metric.process({}, [sample(p, g, 4500 + i) for i, (p, g) in
                        enumerate(pairs)])
    return metric.compute_metrics(metric.results)


def test_digit_miou_is_the_mean_over_digits_present():
    gt = np.full((4, 4), 10)
    gt[0, :2] = 3  # digit 3: 2 px
    gt[1, :4] = 7  # digit 7: 4 px
    pred = gt.copy()
    pred[1, 3] = 10  # digit 7: IoU 3/4; background IoU 10/11
    m = run(DigitIoUMetric(), [(pred, gt)])
    assert m['IoU.3'] == 100.0 and m['IoU.7'] == 75.0
    assert m['digit_mIoU'] == pytest.approx(87.5)
    assert m['IoU.background'] == pytest.approx(100 * 10 / 11, abs=0.01)
    assert m['mIoU'] == pytest.approx((100 + 75 + 100 * 10 / 11) / 3,
                                      abs=0.01)
    assert np.isnan(m['IoU.0'])  # absent from truth and prediction


def test_named_digit_classes_and_unknown_class():
    gt = np.full((2, 2), 10)
    gt[0, 0] = 1
    m = run(DigitIoUMetric(digit_classes=['1']), [(gt, gt)])
    assert m['digit_mIoU'] == 100.0
    with pytest.raises(ValueError, match=r"\['x'\] are not classes"):
        run(DigitIoUMetric(digit_classes=['1', 'x']), [(gt, gt)])


def test_output_dir_names_predictions_by_image_index(tmp_path):
    gt = np.full((2, 3), 10)
    gt[0, 0] = 5
    run(DigitIoUMetric(output_dir=str(tmp_path)), [(gt, gt), (gt, gt)])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        'combined_04500.png', 'combined_04501.png']
    np.testing.assert_array_equal(
        np.array(Image.open(tmp_path / 'combined_04501.png')), gt)


def test_class_map_metrics():
    gt = np.full((1, 4, 4), 10)
    gt[0, 0, :2] = 3
    pred = gt.copy()
    pred[0, 0, 1] = 10
    out = class_map_metrics(pred, gt, CLASSES)
    assert out['digit_mIoU'] == 50.0 and out['IoU.3'] == 50.0
