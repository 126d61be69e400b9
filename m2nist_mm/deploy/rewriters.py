"""mmdeploy function rewriters that make M2NIST models export exactly."""
from typing import List, Tuple, Union

import torch
import torch.nn.functional as F
from mmdeploy.core import FUNCTION_REWRITER
from mmdeploy.utils import is_dynamic_shape
from mmseg.models.utils import resize
from torch.nn.modules.utils import _pair


def block_average(x: torch.Tensor, bins: Union[int, Tuple[int, int]],
                  dynamic: bool) -> torch.Tensor:
    """``adaptive_avg_pool2d(x, bins)`` where ``bins`` divides the map.

    Then every bin is a ``(H/b, W/b)`` block and adaptive pooling is plain
    block averaging. Static shapes export it as ``AveragePool`` with the
    block as kernel and stride (what every backend has); dynamic shapes as a
    reshape to blocks and a mean, whose block size follows the input shape
    at run time. A map the bins do not divide is refused at export for
    static shapes (any fixed kernel would compute another function there);
    a dynamic model given such a map fails at run time in its Reshape. With
    inputs padded to 32, a 1/8 map is a multiple of 4, so bins 1, 2 and 4
    always divide it.
    """
    bh, bw = _pair(bins)
    h, w = x.shape[2:]
    if not dynamic:
        if h % bh or w % bw:
            raise ValueError(
                f'pyramid pooling to {bh}x{bw} bins of a {h}x{w} feature '
                'map: the bins do not divide the map, so no fixed pooling '
                'kernel computes adaptive pooling; choose pool_scales that '
                'divide it, or pad the input to a size that makes them')
        return F.avg_pool2d(x, (h // bh, w // bw), (h // bh, w // bw))
    n, c = x.shape[:2]
    blocks = x.reshape(n, c, bh, h // bh, bw, w // bw)
    return blocks.mean(dim=(3, 5))


@FUNCTION_REWRITER.register_rewriter(
    func_name='mmseg.models.decode_heads.psp_head.PPM.forward')
def ppm__forward(self, x: torch.Tensor) -> List[torch.Tensor]:
    """PPM (PSPNet, Fast-SCNN) with exact block averaging for its bins.

    mmdeploy's own ``adaptive_avg_pool2d`` rewrite fixes the pooling kernel
    at export time (wrong for other input sizes of a dynamic model) and
    truncates it silently when the bins do not divide the map.
    """
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
