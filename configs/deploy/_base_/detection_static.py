# Object detection with its post-processing (NMS; class-agnostic when the
# model's test_cfg.nms says so) in the graph,
# for a fixed input shape: that of the sample image given to tools/deploy.py
# after padding (an M2NIST 64x84 image: a (1, 1, 64, 96) tensor). Outputs:
# dets (N, K, 5) = x1, y1, x2, y2 (padded-input pixels), score; labels
# (N, K). The thresholds match the RTMDet config's test_cfg (score 0.001,
# NMS IoU 0.65, 1000 candidates, 100 boxes per image).
_base_ = ['./onnx_config.py']
onnx_config = dict(output_names=['dets', 'labels'])
codebase_config = dict(
    type='mmdet',
    task='ObjectDetection',
    model_type='end2end',
    post_processing=dict(
        score_threshold=0.001,
        confidence_threshold=0.005,
        iou_threshold=0.65,
        max_output_boxes_per_class=100,
        pre_top_k=1000,
        keep_top_k=100,
        background_label_id=-1))
