"""DetailFastSCNN and DetailRefineHead: full-resolution detail for 1-px
strokes."""
import io

import numpy as np
import onnxruntime as ort
import pytest
import torch

from m2nist_mm.models.backbones.detail_fast_scnn import DetailFastSCNN
from m2nist_mm.models.decode_heads import DetailRefineHead

#: configs/m2nist_fastscnn.py's settings
BACKBONE = dict(in_channels=1, detail_channels=(8, 16),
                global_block_strides=(1, 1, 1), global_num_blocks=(1, 1, 1),
                pool_scales=(1, 2, 4))
HEAD = dict(in_channels=(128, 16), in_index=(2, 3), channels=32,
            num_convs=2, num_classes=11)


def test_backbone_adds_a_full_resolution_detail_output():
    net = DetailFastSCNN(**BACKBONE).eval()
    with torch.no_grad():
        outs = net(torch.rand(2, 1, 64, 96))
    # FastSCNN's three outputs (1/8, the global context kept at 1/8 by the
    # stride-1 blocks), then the detail branch at the input's resolution
    assert [tuple(o.shape) for o in outs] == [
        (2, 64, 8, 12), (2, 128, 8, 12), (2, 128, 8, 12), (2, 16, 64, 96)]


def test_head_predicts_at_the_detail_resolution():
    net = DetailFastSCNN(**BACKBONE).eval()
    head = DetailRefineHead(**HEAD).eval()
    with torch.no_grad():
        logits = head(net(torch.rand(1, 1, 64, 96)))
    assert logits.shape == (1, 11, 64, 96)


@pytest.mark.parametrize('change', [
    dict(in_channels=(128, 16, 8), in_index=(1, 2, 3)), dict(num_convs=0)])
def test_head_refuses_other_than_a_context_detail_pair(change):
    with pytest.raises(ValueError, match='DetailRefineHead needs'):
        DetailRefineHead(**{**HEAD, **change})


def test_backbone_and_head_export_to_onnx():
    model = torch.nn.Sequential(DetailFastSCNN(**BACKBONE),
                                DetailRefineHead(**HEAD)).eval()
    x = torch.rand(1, 1, 64, 96)
    buf = io.BytesIO()
    torch.onnx.export(model, (x, ), buf, input_names=['input'],
                      output_names=['output'], opset_version=11,
                      dynamo=False)
    session = ort.InferenceSession(buf.getvalue(),
                                   providers=['CPUExecutionProvider'])
    (got, ) = session.run(None, {'input': x.numpy()})
    with torch.no_grad():
        want = model(x).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
