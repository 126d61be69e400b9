"""The configs' visualisers: readable panels from mmseg / mmdet samples."""
import cv2
import numpy as np
import pytest
import torch
from mmdet.registry import VISUALIZERS as DET_VISUALIZERS
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData, PixelData
from mmseg.registry import VISUALIZERS as SEG_VISUALIZERS
from mmseg.structures import SegDataSample


def test_seg_visualizer_draws_truth_prediction_and_errors(tmp_path):
    vis = SEG_VISUALIZERS.build(dict(type='mmseg.DigitSegLocalVisualizer',
                                     name='seg_panels'))
    img = np.zeros((64, 84, 3), np.uint8)
    img[10:40, 10:30] = 200
    truth = torch.full((1, 64, 84), 10)
    truth[0, 10:40, 10:30] = 3
    pred = truth.clone()
    pred[0, 10:20, 10:30] = 5
    sample = SegDataSample(gt_sem_seg=PixelData(data=truth),
                           pred_sem_seg=PixelData(data=pred))
    out = str(tmp_path / 'seg.png')
    vis.add_datasample('a', img, sample, out_file=out)
    drawn = cv2.imread(out)
    assert drawn.shape == (20 + 256 + 22, 3 * 336 + 8, 3)
    np.testing.assert_array_equal(vis.get_image(), drawn[..., ::-1])
    errors = drawn[20:276, 2 * 340:]
    assert (errors == (40, 40, 255)).all(axis=2).sum() == 16 * 200
    vis.add_datasample('b', img[..., 0], sample, draw_gt=False, out_file=out)
    assert cv2.imread(out).shape == (298, 336, 3)  # the prediction alone


def test_det_visualizer_draws_boxes_above_the_threshold(tmp_path):
    vis = DET_VISUALIZERS.build(dict(type='mmdet.DigitDetLocalVisualizer',
                                     name='det_panels', scale=2))
    sample = DetDataSample(
        gt_instances=InstanceData(bboxes=torch.tensor([[10., 10, 30, 40]]),
                                  labels=torch.tensor([3])),
        pred_instances=InstanceData(
            bboxes=torch.tensor([[10., 10, 30, 40], [50, 20, 70, 50]]),
            labels=torch.tensor([3, 8]), scores=torch.tensor([0.9, 0.1])))
    out = str(tmp_path / 'det.png')
    vis.add_datasample('a', np.zeros((64, 84), np.uint8), sample,
                       out_file=out, pred_score_thr=0.3)
    drawn = cv2.imread(out)
    assert drawn.shape == (20 + 128 + 22, 2 * 168 + 4, 3)
    right = drawn[20:148, 172:]
    eight = [60, 245, 210]  # BGR of the '8' colour: its box is below 0.3
    assert not (right == eight).all(axis=2).any()
    with pytest.raises(ValueError, match='scale must be a positive int'):
        DET_VISUALIZERS.build(dict(type='mmdet.DigitDetLocalVisualizer',
                                   name='bad', scale=0))
