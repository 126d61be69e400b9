"""Exact pyramid pooling for export."""
import pytest
import torch
import torch.nn.functional as F

from m2nist_mm.deploy.rewriters import block_average


@pytest.mark.parametrize('dynamic', [False, True])
@pytest.mark.parametrize('bins', [1, 2, 4, (2, 3)])
def test_block_average_is_adaptive_pooling(bins, dynamic):
    x = torch.randn(2, 5, 8, 12)
    torch.testing.assert_close(block_average(x, bins, dynamic),
                               F.adaptive_avg_pool2d(x, bins))


def test_bins_that_do_not_divide_the_map_are_refused():
    with pytest.raises(ValueError, match='3x3 bins of a 8x12 feature map'):
        block_average(torch.randn(1, 2, 8, 12), 3, dynamic=False)
