"""Quantize: an int8 export's calibration images and its int8 model.

ONNX Runtime and OpenVINO: ONNX Runtime's ``quantize_static`` rewrites the
graph before conversion (:func:`quantize_graph`); ncnn: its own int8 format
from the converted model (:mod:`.ncnn_int8`). See docs/deployment.md.
"""
import copy
import os
import os.path as osp
from typing import Iterator, List, Optional, Sequence, Tuple

import numpy as np
import onnx
from mmengine import Config
from mmengine.registry import DefaultScope
from onnx import numpy_helper

from m2nist_core.inference.backends import require
from m2nist_core.inference.model import Preprocess, check_images
from .convert import Graph
from .ncnn_int8 import quantize_ncnn
from .plan import Plan
from .sdk import LOADERS, step_type

#: Images a calibration batch holds (a static model takes one at a time).
CALIB_BATCH = 32


def _loading_only(dataset_cfg: Config, loading: List[dict]) -> Config:
    """``dataset_cfg`` (each member of a ``ConcatDataset``) with only the
    ``loading`` steps, in test mode."""
    if 'datasets' in dataset_cfg:
        dataset_cfg.datasets = [_loading_only(d, loading)
                                for d in dataset_cfg.datasets]
    else:
        dataset_cfg.update(pipeline=loading, test_mode=True)
    return dataset_cfg


def calibration_images(model_cfg: Config,
                       settings: dict) -> Tuple[List[np.ndarray], List[str]]:
    """The images and names of ``settings['num_images']`` images spread
    evenly over the model config's ``<dataset>_dataloader``, loaded as its
    test pipeline loads them; ValueError where that loader is missing or an
    image is not grey ``uint8``."""
    from mmseg.registry import DATASETS
    split = settings['dataset']
    key = f'{split}_dataloader'
    if key not in model_cfg:
        raise ValueError(f'{model_cfg.filename} has no {key} to calibrate '
                         'on; pass calibration images (--calib-img)')
    loading = [
        s for s in model_cfg.test_pipeline
        if step_type(s) in LOADERS + ('ToGray', )
    ]
    dataset_cfg = _loading_only(copy.deepcopy(model_cfg[key]['dataset']),
                                loading)
    with DefaultScope.overwrite_default_scope('mmseg'):
        dataset = DATASETS.build(dataset_cfg)
    count = min(settings['num_images'], len(dataset))
    indices = np.linspace(0, len(dataset) - 1, count).round().astype(int)
    source = dataset_cfg.get('data_root') or dataset_cfg.type
    where = f'{source} ({split} split)'
    imgs = [dataset[int(i)]['img'] for i in indices]
    names = [f'{where} image {i}' for i in indices]
    return imgs, check_images(imgs, names, 'calibration image')


def calibration_set(plan: Plan, imgs: Optional[Sequence[np.ndarray]],
                    names: Optional[Sequence[str]]
                    ) -> Tuple[List[np.ndarray], List[str]]:
    """An int8 export's calibration images and their names: ``imgs``, or
    (None) those the plan's ``calib_config`` picks; none for a float export.

    Raises:
        ValueError: Calibration images for a float export, none at all,
            or images that are not grey ``uint8``.
    """
    if plan.int8 is None:
        if imgs:
            raise ValueError(f'{plan.source} exports {plan.precision}: '
                             'calibration images are for int8 deploy '
                             'configs')
        return [], []
    if imgs is None:
        return calibration_images(plan.model_cfg, plan.int8.calibration)
    if not imgs:
        raise ValueError('0 calibration images: pass at least one')
    return list(imgs), check_images(imgs, names, 'calibration image')


def _calibration_batches(imgs: Sequence[np.ndarray], preprocess: Preprocess,
                         input_shape: Sequence[Optional[int]]
                         ) -> Iterator[np.ndarray]:
    """Preprocessed batches the graph takes: one image each for a fixed
    batch size of 1, else up to :data:`CALIB_BATCH` of one padded size."""
    size = 1 if input_shape[0] == 1 else CALIB_BATCH
    groups: dict = {}
    for img in imgs:
        groups.setdefault(preprocess.padded_shape(img.shape), []).append(img)
    for group in groups.values():
        for i in range(0, len(group), size):
            yield preprocess(group[i:i + size])


def _scope_names(module: str) -> List[str]:
    """torch.onnx's scope names along a module path: an index into a
    container is named after its container (``backbone.branch.0`` ->
    ``backbone``, ``branch``, ``branch.0``), as node names such as
    ``/backbone/branch/branch.0/conv/Conv`` show."""
    names: List[str] = []
    for atom in module.split('.'):
        names.append(f'{names[-1]}.{atom}'
                     if atom.isdigit() and names else atom)
    return names


def float_nodes(graph: onnx.GraphProto, modules: Sequence[str],
                source: str) -> List[str]:
    """Names of the graph nodes exported from ``modules`` (module paths
    such as ``backbone.detail_branch.0``); ValueError for a module with no
    node in the graph."""
    nodes = []
    for module in modules:
        prefix = '/' + '/'.join(_scope_names(module)) + '/'
        found = [n.name for n in graph.node if n.name.startswith(prefix)]
        if not found:
            raise ValueError(f'{source}: the model config\'s int8_keep_float '
                             f'names {module!r}, '
                             'which no layer of the exported graph comes '
                             'from')
        nodes += found
    return nodes


def float_weights(onnx_file: str, modules: Sequence[str],
                  source: str) -> List[np.ndarray]:
    """The convolution weights of ``modules`` in the ONNX graph (pnnx's
    layer names do not keep module paths; the weights identify them)."""
    graph = onnx.load(onnx_file).graph
    names = set(float_nodes(graph, modules, source))
    inits = {t.name: t for t in graph.initializer}
    return [numpy_helper.to_array(inits[n.input[1]]).ravel()
            for n in graph.node if n.name in names and n.op_type == 'Conv'
            and n.input[1] in inits]


def quantize_graph(plan: Plan, graph: Graph,
                   imgs: Sequence[np.ndarray]) -> None:
    """Rewrite the fp32 graph in place as its static int8 quantisation
    (ONNX Runtime and OpenVINO int8 exports, before the conversion).

    Raises:
        ValueError: Per-channel weights asked for a graph below opset 13,
            or a ``keep_float`` module not in the graph.
        RuntimeError: No ``onnxruntime.quantization``.
    """
    quant = require('onnxruntime.quantization', 'int8 quantisation',
                    'pip install -r requirements/runtime.txt')
    settings = plan.int8.quantizer
    model = onnx.load(graph.file)
    opset = max(o.version for o in model.opset_import
                if o.domain in ('', 'ai.onnx'))
    if settings['per_channel'] and opset < 13:
        raise ValueError(f'{plan.source}: per-channel quantisation needs '
                         f'ONNX opset 13 or later, the graph is opset '
                         f'{opset}; set onnx_config.opset_version = 13')
    name = model.graph.input[0].name
    exclude = float_nodes(model.graph, plan.int8.keep_float, plan.source)

    class Reader(quant.CalibrationDataReader):
        def __init__(self) -> None:
            self.batches = _calibration_batches(imgs, plan.preprocessor,
                                                graph.shape)

        def get_next(self) -> Optional[dict]:
            batch = next(self.batches, None)
            return None if batch is None else {name: batch}

    int8_file = f'{osp.splitext(graph.file)[0]}.int8.onnx'
    quant.quantize_static(
        graph.file, int8_file, Reader(),
        quant_format=getattr(quant.QuantFormat, settings['format']),
        per_channel=settings['per_channel'],
        activation_type=getattr(quant.QuantType,
                                settings['activation_type']),
        weight_type=getattr(quant.QuantType, settings['weight_type']),
        calibrate_method=getattr(quant.CalibrationMethod,
                                 settings['method']),
        nodes_to_exclude=exclude)
    os.replace(int8_file, graph.file)


def quantize_ncnn_model(plan: Plan, graph: Graph, files: Sequence[str],
                        imgs: Sequence[np.ndarray]) -> List[str]:
    """Rewrite the converted fp32 ncnn model in place in ncnn's own int8
    format (ncnn int8 exports, after the conversion).

    Args:
        graph: The fp32 ONNX graph it was converted from (where the
            ``keep_float`` modules are found).
        files: The ``.param`` and ``.bin`` files.

    Returns:
        The names of the convolutions left in fp32.
    """
    keep = float_weights(graph.file, plan.int8.keep_float, plan.source)
    return quantize_ncnn(*files, imgs, plan.preprocessor, keep,
                         plan.int8.quantizer['layer_agreement'])
