"""mmdeploy function rewriters that make M2NIST models export exactly
(docs/deployment.md)."""
from typing import List, Tuple, Union

import torch
import torch.nn.functional as F
from mmdeploy.codebase.mmdet import get_post_processing_params
from mmdeploy.core import FUNCTION_REWRITER
from mmdeploy.core.rewriters.rewriter_utils import LibVersionChecker
from mmdeploy.mmcv.ops import multiclass_nms
from mmdeploy.utils import get_codebase_config, is_dynamic_shape
from mmseg.models.utils import resize
from torch.nn.modules.utils import _pair


@FUNCTION_REWRITER.register_rewriter(
    func_name='m2nist_mm.models.segmentors.DigitNamingEncoderDecoder.predict')
@FUNCTION_REWRITER.register_rewriter(
    func_name='mmseg.models.segmentors.EncoderDecoder.predict',
    extra_checkers=LibVersionChecker('mmseg', min_version='1.0.0'))
def encoder_decoder__predict(self, inputs: torch.Tensor,
                             data_samples: list, **kwargs) -> torch.Tensor:
    """Whole-image logits at the input's own size, padding inside the graph
    by the codebase config's ``pad_size_divisor`` (:func:`.plan.pad_in_graph`).

    The logits are the segmentor's ``encode_decode``, so segmentors that
    override it export as they predict. The version checker makes mmdeploy
    prefer this rewriter to its own.
    """
    ctx = FUNCTION_REWRITER.get_context()
    h, w = inputs.shape[2:]
    if not is_dynamic_shape(ctx.cfg):  # constant pads, static shapes below
        h, w = int(h), int(w)
    codebase = get_codebase_config(ctx.cfg)
    divisor = codebase.get('pad_size_divisor')
    if divisor:
        pad_h, pad_w = (divisor - h % divisor) % divisor, \
            (divisor - w % divisor) % divisor
        inputs = F.pad(inputs, (0, pad_w, 0, pad_h),
                       value=float(codebase.get('pad_val', 0)))
    metas = [dict(s.metainfo, img_shape=(h, w), pad_shape=inputs.shape[2:])
             for s in data_samples]
    return self.encode_decode(inputs, metas)[:, :, :h, :w]


@FUNCTION_REWRITER.register_rewriter(
    func_name='mmseg.models.decode_heads.decode_head.'
    'BaseDecodeHead.predict_by_feat')
def base_decode_head__predict_by_feat(self, seg_logits: torch.Tensor,
                                      batch_img_metas: List[dict]
                                      ) -> torch.Tensor:
    """mmseg's resize of the logits to the input size, left out when the
    traced sizes are equal (an identity backends would still run)."""
    ctx = FUNCTION_REWRITER.get_context()
    meta = batch_img_metas[0]
    size = meta['img_shape'] if isinstance(meta['img_shape'], torch.Size) \
        else meta.get('pad_shape', meta['img_shape'])[:2]
    if [int(s) for s in seg_logits.shape[2:]] == [int(s) for s in size]:
        return seg_logits
    return ctx.origin_func(self, seg_logits, batch_img_metas)


def block_average(x: torch.Tensor, bins: Union[int, Tuple[int, int]],
                  dynamic: bool) -> torch.Tensor:
    """``adaptive_avg_pool2d(x, bins)`` as block averaging, where ``bins``
    divides the map: ``AveragePool`` for static shapes, reshape + mean for
    dynamic ones. A map the bins do not divide is refused for static shapes
    (a dynamic model fails in its Reshape); inputs padded to 32 give 1/8
    maps that bins 1, 2 and 4 divide.
    """
    bh, bw = _pair(bins)
    h, w = x.shape[2:]
    if not dynamic:
        h, w = int(h), int(w)  # constants in the graph
        if h % bh or w % bw:
            raise ValueError(
                f'pyramid pooling to {bh}x{bw} bins of a {h}x{w} feature '
                'map: the bins do not divide the map, so no fixed pooling '
                'kernel computes adaptive pooling; choose pool_scales that '
                'divide it, or pad the input to a size that makes them')
        return F.avg_pool2d(x, (h // bh, w // bw), (h // bh, w // bw))
    n, c = x.shape[:2]
    # two means over one axis each (rows of a block, then its columns):
    # backends reduce low-rank tensors over one axis fastest (OpenVINO has
    # only a reference kernel for the 6-D block mean)
    rows = x.reshape(n * c * bh, h // bh, w).mean(dim=1)
    return rows.reshape(n * c * bh * bw, w // bw).mean(dim=1).reshape(
        n, c, bh, bw)


@FUNCTION_REWRITER.register_rewriter(
    func_name='mmseg.models.decode_heads.psp_head.PPM.forward')
def ppm__forward(self, x: torch.Tensor) -> List[torch.Tensor]:
    """PPM (PSPNet, Fast-SCNN) with exact block averaging for its bins
    (mmdeploy's rewrite fixes the kernel at export time)."""
    ctx = FUNCTION_REWRITER.get_context()
    dynamic = is_dynamic_shape(ctx.cfg)
    outs = []
    for branch in self:
        pool, rest = branch[0], branch[1:]
        pooled = block_average(x, pool.output_size, dynamic)
        outs.append(
            resize(rest(pooled), size=x.shape[2:], mode='bilinear',
                   align_corners=self.align_corners))
    return outs


@FUNCTION_REWRITER.register_rewriter(
    func_name='mmdet.models.dense_heads.rtmdet_head.RTMDetHead.'
    'predict_by_feat',
    backend='onnxruntime')
def rtmdet_head__predict_by_feat(self, cls_scores: List[torch.Tensor],
                                 bbox_preds: List[torch.Tensor],
                                 batch_img_metas: List[dict], cfg=None,
                                 rescale: bool = False,
                                 with_nms: bool = True):
    """RTMDet's boxes and NMS as mmdet computes them, for ONNX Runtime:
    ``dets`` ``(N, K, 5)`` and ``labels`` ``(N, K)``.

    mmdeploy's rewrite skips mmdet's clipping of boxes to ``img_shape`` and
    its ``min_bbox_size`` filter before NMS, so NMS would keep other boxes.
    Static shapes only (boxes clip to the export sample's size).
    """
    ctx = FUNCTION_REWRITER.get_context()
    if is_dynamic_shape(ctx.cfg):
        raise ValueError('the RTMDet export clips boxes to the export '
                         'image size: use a static deploy config')
    cfg = self.test_cfg if cfg is None else cfg
    n = bbox_preds[0].shape[0]
    priors = torch.cat(self.prior_generator.grid_priors(
        [s.shape[2:] for s in cls_scores], device=cls_scores[0].device))
    scores = torch.cat([s.permute(0, 2, 3, 1).reshape(n, -1,
                                                      self.cls_out_channels)
                        for s in cls_scores], dim=1).sigmoid()
    dist = torch.cat([b.permute(0, 2, 3, 1).reshape(n, -1, 4)
                      for b in bbox_preds], dim=1)
    h, w = batch_img_metas[0]['img_shape'][:2]
    x, y = priors[:, 0], priors[:, 1]
    boxes = torch.stack([(x - dist[..., 0]).clamp(0, w),
                         (y - dist[..., 1]).clamp(0, h),
                         (x + dist[..., 2]).clamp(0, w),
                         (y + dist[..., 3]).clamp(0, h)], -1)
    min_size = cfg.get('min_bbox_size', -1)
    if min_size >= 0:  # mmdet drops boxes clipped to (almost) nothing
        keep = ((boxes[..., 2] - boxes[..., 0] > min_size) &
                (boxes[..., 3] - boxes[..., 1] > min_size))
        scores = scores * keep.unsqueeze(-1).to(scores.dtype)
    if not with_nms:
        return boxes, scores
    post = get_post_processing_params(ctx.cfg)
    nms = dict(
        nms_type=cfg.nms.get('type'),
        iou_threshold=cfg.nms.get('iou_threshold', post.iou_threshold),
        score_threshold=cfg.get('score_thr', post.score_threshold),
        pre_top_k=post.pre_top_k,
        keep_top_k=cfg.get('max_per_img', post.keep_top_k))
    if not cfg.nms.get('class_agnostic', False):
        return multiclass_nms(boxes, scores, post.max_output_boxes_per_class,
                              **nms)
    # mmdet's class-agnostic NMS keeps at most one class per prior, its
    # best: NMS over each prior's best score, its class gathered after
    best, label = scores.max(-1, keepdim=True)
    dets, _, index = multiclass_nms(boxes, best,
                                    post.max_output_boxes_per_class,
                                    output_index=True, **nms)
    # the padding entry has index -1 and score 0 (Where, not Clip: ONNX
    # Runtime's Clip takes no int64)
    index = torch.where(index < 0, torch.zeros_like(index), index)
    return dets, label.squeeze(-1).gather(1, index)
