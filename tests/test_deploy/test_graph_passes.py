"""Graph edits made at export: ArgMax channels-last for OpenVINO, and the
module -> node mapping of int8_keep_float."""
import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper

from m2nist_mm.deploy.convert import channels_last_argmax
from m2nist_mm.deploy.quantize import float_nodes


def _argmax_model(shape, **attrs) -> onnx.ModelProto:
    graph = helper.make_graph(
        [helper.make_node('ArgMax', ['x'], ['y'], name='/ArgMax', **attrs)],
        'g', [helper.make_tensor_value_info('x', TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info('y', TensorProto.INT64, None)])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid('',
                                                                       13)])


def _run(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    sess = ort.InferenceSession(model.SerializeToString(),
                                providers=['CPUExecutionProvider'])
    return sess.run(None, {'x': x})[0]


@pytest.mark.parametrize('keepdims', [0, 1])
def test_channels_last_argmax_is_exact(keepdims):
    # small integers: many ties, which ArgMax breaks by the first index
    x = np.random.default_rng(0).integers(0, 3, (2, 11, 5, 7)).astype(
        np.float32)
    model = _argmax_model(['n', 11, 'h', 'w'], axis=1, keepdims=keepdims)
    ref = _run(model, x)
    assert channels_last_argmax(model) == 1
    assert [n.op_type for n in model.graph.node][:2] == ['Transpose',
                                                         'ArgMax']
    out = _run(model, x)
    assert out.shape == ref.shape
    np.testing.assert_array_equal(out, ref)


@pytest.mark.parametrize('shape,attrs', [
    ([2, 11, 5], dict(axis=1)),  # not 4-D
    ([2, 11, 5, 7], dict(axis=2)),  # not the channels
    ([2, 11, 5, 7], dict(axis=1, select_last_index=1)),
])
def test_other_argmax_nodes_are_left_alone(shape, attrs):
    model = _argmax_model(shape, **attrs)
    assert channels_last_argmax(model) == 0
    assert [n.op_type for n in model.graph.node] == ['ArgMax']


def test_float_nodes_follow_torch_scope_names():
    names = ['/backbone/detail_branch/detail_branch.0/conv/Conv',
             '/backbone/detail_branch/detail_branch.1/conv/Conv',
             '/backbone/blocks/blocks.0/blocks.0.1/conv/Conv',
             '/conv_seg/Conv']
    graph = helper.make_graph(
        [helper.make_node('Relu', ['x'], ['x'], name=n) for n in names], 'g',
        [], [])
    assert float_nodes(graph, ['backbone.detail_branch'], 'cfg') == names[:2]
    assert float_nodes(graph, ['backbone.detail_branch.1'],
                       'cfg') == names[1:2]
    assert float_nodes(graph, ['backbone.blocks.0.1', 'conv_seg'],
                       'cfg') == names[2:]
    with pytest.raises(ValueError, match="cfg: the model config's "
                       "int8_keep_float names 'backbone.detail_branch.2'"):
        float_nodes(graph, ['backbone.detail_branch.2'], 'cfg')
