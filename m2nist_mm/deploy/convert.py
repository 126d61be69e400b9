"""Convert: the model traced to an ONNX graph (:func:`export_onnx`), and
that graph into the backend's files (:func:`convert`) with what PyPI ships:
mmdeploy's ``to_backend`` for ONNX Runtime, ``pnnx`` for ncnn,
``openvino.convert_model`` and the TensorRT 10 Python API (mmdeploy 1.3's own
``onnx2ncnn``, OpenVINO Model Optimizer and TensorRT 8 wrapper are not).
"""
import contextlib
import functools
import os
import os.path as osp
import shutil
import subprocess
import tempfile
from typing import Iterator, List, NamedTuple, Optional, Sequence

import numpy as np
import onnx
import torch
from mmdeploy.apis import torch2onnx
from mmdeploy.apis.utils import to_backend
from mmdeploy.utils import Backend
from onnx import helper

from m2nist_core.inference.backends import require
from .plan import Plan


class Graph(NamedTuple):
    """The exported ONNX graph: its file and its input's ``[N, C, H, W]``
    (``None`` for dynamic axes)."""
    file: str
    shape: List[Optional[int]]


@contextlib.contextmanager
def torchscript_onnx_export() -> Iterator[None]:
    """Make ``torch.onnx.export`` default to the TorchScript exporter, which
    mmdeploy's rewriters patch (torch >= 2.9 defaults to dynamo)."""
    original = torch.onnx.export

    @functools.wraps(original)
    def export(*args, **kwargs):
        kwargs.setdefault('dynamo', False)
        return original(*args, **kwargs)

    torch.onnx.export = export
    try:
        yield
    finally:
        torch.onnx.export = original


def export_onnx(plan: Plan, checkpoint: str, img: np.ndarray,
                out_dir: str) -> Graph:
    """Trace the model with the sample ``img`` to
    ``out_dir``/:attr:`.Plan.save_file`."""
    with torchscript_onnx_export():
        torch2onnx(img, out_dir, plan.save_file, plan.deploy_cfg,
                   plan.export_cfg, checkpoint, 'cpu')
    onnx_file = osp.join(out_dir, plan.save_file)
    dims = onnx.load(onnx_file).graph.input[0].type.tensor_type.shape.dim
    return Graph(onnx_file, [d.dim_value if d.HasField('dim_value') else None
                             for d in dims])


def convert(plan: Plan, graph: Graph, out_dir: str) -> List[str]:
    """The backend's model files made from the graph (quantised already
    for an ONNX Runtime or OpenVINO int8 export) in ``out_dir``; the graph
    itself for ONNX Runtime."""
    if plan.backend == Backend.NCNN:
        return onnx2ncnn(graph.file, graph.shape, out_dir, plan.stem)
    if plan.backend == Backend.OPENVINO:
        return onnx2openvino(graph.file, out_dir, plan.stem)
    if plan.backend == Backend.TENSORRT:
        return onnx2tensorrt(plan, graph, out_dir)
    return list(to_backend(plan.backend.value, [graph.file], out_dir,
                           plan.deploy_cfg))


def onnx2ncnn(onnx_file: str, input_shape: Sequence[int],
              work_dir: str, stem: str = 'end2end') -> List[str]:
    """Convert a static ``input_shape`` graph with the ``pnnx`` tool to
    ``<stem>.param`` + ``<stem>.bin`` (fp32 weights: pnnx defaults to fp16).
    """
    exe = require('pnnx', 'ncnn export',
                  'pip install -r requirements/runtime.txt').EXEC_PATH
    param, weights = (osp.join(work_dir, f'{stem}.{ext}')
                      for ext in ('param', 'bin'))
    shape = ','.join(str(int(s)) for s in input_shape)
    with tempfile.TemporaryDirectory() as tmp:
        # pnnx writes intermediates beside its input: give it a copy in tmp
        src = shutil.copy(onnx_file, osp.join(tmp, 'm.onnx'))
        cmd = [exe, src, f'inputshape=[{shape}]f32', 'fp16=0',
               f'ncnnparam={osp.abspath(param)}',
               f'ncnnbin={osp.abspath(weights)}'] + [
                   f'{key}={osp.join(tmp, name)}'
                   for key, name in (('pnnxparam', 'm.pnnx.param'),
                                     ('pnnxbin', 'm.pnnx.bin'),
                                     ('pnnxpy', 'm_pnnx.py'),
                                     ('pnnxonnx', 'm.pnnx.onnx'),
                                     ('ncnnpy', 'm_ncnn.py'))]
        proc = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True)
    if proc.returncode != 0 or not (osp.isfile(param)
                                    and osp.isfile(weights)):
        raise RuntimeError(f'pnnx could not convert {onnx_file} to ncnn '
                           f'(exit {proc.returncode}):\n{proc.stdout[-2000:]}'
                           f'\n{proc.stderr[-2000:]}')
    return [param, weights]


def channels_last_argmax(model: onnx.ModelProto) -> int:
    """Rewrite, in place, each ArgMax over the channels of a 4-D tensor as
    a transpose to channels-last, an ArgMax over the last axis and a
    transpose back (faster in OpenVINO, docs/deployment.md); return how many
    were rewritten."""
    inferred = onnx.shape_inference.infer_shapes(model)
    ranks = {v.name: len(v.type.tensor_type.shape.dim)
             for v in list(inferred.graph.value_info) +
             list(inferred.graph.input) + list(inferred.graph.output)
             if v.type.tensor_type.HasField('shape')}
    graph, count = model.graph, 0
    for node in [n for n in graph.node if n.op_type == 'ArgMax']:
        attrs = {a.name: helper.get_attribute_value(a)
                 for a in node.attribute}
        keep = attrs.get('keepdims', 1)
        # the input's rank, or (keepdims) the output's, where it is known
        rank = ranks.get(node.input[0],
                         ranks.get(node.output[0]) if keep else None)
        if (rank != 4 or attrs.get('axis', 0) not in (1, -3)
                or attrs.get('select_last_index', 0)):
            continue
        tag = f'{node.name or node.output[0]}/channels_last'
        nhwc, idx = f'{tag}/input', f'{tag}/index'
        new = [
            helper.make_node('Transpose', [node.input[0]], [nhwc],
                             name=f'{tag}/Transpose', perm=[0, 2, 3, 1]),
            helper.make_node('ArgMax', [nhwc], [idx if keep else
                                                node.output[0]],
                             name=f'{tag}/ArgMax', axis=3, keepdims=keep)
        ]
        if keep:
            new.append(helper.make_node('Transpose', [idx], [node.output[0]],
                                        name=f'{tag}/TransposeBack',
                                        perm=[0, 3, 1, 2]))
        index = list(graph.node).index(node)
        graph.node.remove(node)
        for k, n in enumerate(new):
            graph.node.insert(index + k, n)
        count += 1
    return count


def onnx2openvino(onnx_file: str, work_dir: str,
                  stem: str = 'end2end') -> List[str]:
    """Convert with ``openvino.convert_model`` to ``<stem>.xml`` + ``.bin``,
    weights as in the ONNX graph (OpenVINO would store fp32 as fp16), with
    :func:`channels_last_argmax`."""
    ov = require('openvino', 'OpenVINO export',
                 'pip install -r requirements/runtime.txt')
    xml, weights = (osp.join(work_dir, f'{stem}.{ext}')
                    for ext in ('xml', 'bin'))
    model = onnx.load(onnx_file)
    source = onnx_file
    if channels_last_argmax(model):
        fd, source = tempfile.mkstemp(suffix='.onnx', dir=work_dir)
        os.close(fd)
        onnx.save(model, source)
    try:
        converted = ov.convert_model(source)
    except Exception as e:  # OpenVINO raises its own types
        raise RuntimeError(f'OpenVINO could not convert {onnx_file}: '
                           f'{e}') from None
    finally:
        if source != onnx_file:
            os.remove(source)
    ov.save_model(converted, xml, compress_to_fp16=False)
    return [xml, weights]


def onnx2tensorrt(plan: Plan, graph: Graph, work_dir: str) -> List[str]:
    """Build ``<stem>.engine`` with the TensorRT Python API, with the
    plan's input profile, workspace and precision; return ``[path]``.

    Raises:
        ValueError: The graph's input shape outside the profile.
        RuntimeError: TensorRT cannot parse the graph or build an engine.
    """
    shapes = plan.tensorrt['input_shapes']
    for name, s in shapes.items():
        for lo, hi, dim in zip(s['min_shape'], s['max_shape'], graph.shape):
            if dim is not None and not lo <= dim <= hi:
                raise ValueError(
                    f'{plan.source}: TensorRT input {name!r} allows '
                    f'{s["min_shape"]}..{s["max_shape"]}, but the exported '
                    f'model takes {graph.shape} (the sample image padded); '
                    'export with an image of that size or change '
                    'model_inputs')
    trt = require('tensorrt', 'TensorRT export',
                  'pip install -r requirements/tensorrt.txt')
    logger = trt.Logger(trt.Logger.WARNING)
    builder = trt.Builder(logger)
    network = builder.create_network(0)  # explicit batch (TensorRT 10)
    parser = trt.OnnxParser(network, logger)
    if not parser.parse_from_file(osp.abspath(graph.file)):
        errors = '\n'.join(str(parser.get_error(i))
                           for i in range(parser.num_errors))
        raise RuntimeError(f'TensorRT cannot parse {graph.file}:\n{errors}')
    config = builder.create_builder_config()
    config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE,
                                 plan.tensorrt['workspace'])
    if plan.precision == 'FP16':
        config.set_flag(trt.BuilderFlag.FP16)
    profile = builder.create_optimization_profile()
    for name, s in shapes.items():
        profile.set_shape(name, s['min_shape'], s['opt_shape'],
                          s['max_shape'])
    config.add_optimization_profile(profile)
    engine = builder.build_serialized_network(network, config)
    if engine is None:
        raise RuntimeError(f'TensorRT could not build an engine from '
                           f'{graph.file}')
    path = osp.join(work_dir, f'{plan.stem}.engine')
    with open(path, 'wb') as f:
        f.write(engine)
    return [path]
