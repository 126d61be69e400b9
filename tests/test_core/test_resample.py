"""Resampling matrices equal PyTorch's bicubic and area resizes."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from m2nist_core.resample import resize_matrix


@pytest.mark.parametrize('mode,size,out', [
    ('bicubic', (64, 84), (128, 168)),
    ('bicubic', (64, 84), (90, 119)),  # 2^0.5, not a whole factor
    ('bicubic', (7, 5), (30, 11)),  # taps beyond both ends
    ('area', (64, 84), (45, 59)),  # overlapping bins
    ('area', (512, 672), (64, 84)),
    ('area', (64, 84), (8, 10)),
])
def test_matrices_resize_as_interpolate(mode, size, out):
    x = torch.from_numpy(
        np.random.default_rng(0).random((2, 1) + size).astype(np.float32))
    kw = {} if mode == 'area' else dict(align_corners=False)
    ref = F.interpolate(x, size=out, mode=mode, **kw)
    rows, cols = (torch.from_numpy(resize_matrix(n, m, mode))
                  for n, m in zip(size, out))
    assert torch.allclose(rows @ x @ cols.T, ref, atol=1e-5)
    assert np.allclose(resize_matrix(size[0], out[0], mode).sum(1), 1)


@pytest.mark.parametrize('args,match', [
    ((0, 4, 'area'), 'lengths must be >= 1'),
    ((4, 0, 'bicubic'), 'lengths must be >= 1'),
    ((4, 8, 'bilinear'), "mode must be one of .* got 'bilinear'"),
])
def test_bad_arguments(args, match):
    with pytest.raises(ValueError, match=match):
        resize_matrix(*args)
