"""Static int8 quantisation of an exported ONNX graph, calibrated on images.

ONNX Runtime's quantiser (``onnxruntime.quantization.quantize_static``)
writes a QDQ graph: int8 weights (per output channel by default) and
activations quantised with ranges measured on calibration images run
through the fp32 graph. ONNX Runtime runs it as int8 kernels; OpenVINO
reads the same QDQ graph and runs its int8 layers in int8, so one
quantiser serves both backends.

A deploy config asks for it with ``backend_config.precision='INT8'`` and
``backend_config.quantization`` (the quantiser's settings) and says where
the calibration images come from in ``calib_config``. A model config may
name modules whose layers stay fp32 in int8 exports
(``int8_keep_float``, e.g. a branch whose small activations int8 would
lose).
"""
import copy
from typing import Iterator, List, Optional, Sequence, Tuple

import numpy as np
import onnx
from mmengine import Config
from mmengine.registry import DefaultScope

from m2nist_core.inference.backends import require
from m2nist_core.inference.model import Preprocess
from .sdk import LOADERS, step_type

#: ``backend_config.quantization`` keys and their defaults.
QUANTIZATION = dict(format='QDQ', per_channel=True,
                    activation_type='QUInt8', weight_type='QInt8',
                    method='MinMax', layer_agreement=None)
#: ``calib_config`` keys and their defaults: ``num_images`` spread evenly
#: over the ``dataset`` (``train``, ``val`` or ``test``) of the model config.
CALIBRATION = dict(dataset='train', num_images=1024)
#: Images a calibration batch holds (a static model takes one at a time).
CALIB_BATCH = 32


def quantization_settings(deploy_cfg: Config) -> Optional[dict]:
    """The deploy config's quantiser settings with defaults, or None.

    Raises:
        ValueError: Unknown keys or values, or ``precision`` and
            ``quantization`` that do not go together.
    """
    name = deploy_cfg.filename or 'deploy config'
    backend_cfg = deploy_cfg.backend_config
    int8 = backend_cfg.get('precision', 'FP32') == 'INT8'
    given = backend_cfg.get('quantization')
    if int8 != (given is not None):
        raise ValueError(f"{name}: backend_config.precision='INT8' and "
                         'backend_config.quantization go together (one is '
                         'missing)')
    if given is None:
        return None
    unknown = set(given) - set(QUANTIZATION)
    if unknown:
        raise ValueError(f'{name}: unknown backend_config.quantization keys '
                         f'{sorted(unknown)} (known: {sorted(QUANTIZATION)})')
    settings = dict(QUANTIZATION, **given)
    choices = dict(format=('QDQ', 'QOperator', 'ncnn'),
                   activation_type=('QUInt8', 'QInt8'),
                   weight_type=('QInt8', 'QUInt8'),
                   method=('MinMax', 'Entropy', 'Percentile'))
    for key, allowed in choices.items():
        if settings[key] not in allowed:
            raise ValueError(f'{name}: backend_config.quantization.{key} '
                             f'{settings[key]!r} is not one of {allowed}')
    return settings


def check_quantizer(settings: dict, backend: str, source: str) -> None:
    """Check that quantiser settings suit the backend: ONNX Runtime and
    OpenVINO take ONNX Runtime's QDQ or QOperator graphs, ncnn its own
    scheme (:mod:`.ncnn_int8`: signed int8, per-channel weights, max
    ranges, layers picked by ``layer_agreement``).

    Raises:
        ValueError: Settings another backend's quantiser takes.
    """
    ncnn = backend == 'ncnn'
    if ncnn != (settings['format'] == 'ncnn'):
        raise ValueError(f"{source}: quantization format 'ncnn' is ncnn's "
                         'own int8 scheme, for the ncnn backend only; ONNX '
                         'Runtime and OpenVINO take QDQ or QOperator')
    if not ncnn and settings['layer_agreement'] is not None:
        raise ValueError(f'{source}: quantization.layer_agreement is for '
                         'ncnn int8 (which picks the layers to quantise by '
                         'it)')
    if ncnn and (settings['activation_type'], settings['weight_type'],
                 settings['per_channel'], settings['method']) != (
                     'QInt8', 'QInt8', True, 'MinMax'):
        raise ValueError(f'{source}: ncnn int8 quantises weights per '
                         'channel and activations by their max range, both '
                         "signed (activation_type and weight_type 'QInt8', "
                         "per_channel True, method 'MinMax')")


def calibration_settings(deploy_cfg: Config) -> dict:
    """``calib_config`` with defaults.

    Raises:
        ValueError: Unknown keys, another data set or a non-positive count.
    """
    name = deploy_cfg.filename or 'deploy config'
    given = dict(deploy_cfg.get('calib_config') or {})
    unknown = set(given) - set(CALIBRATION)
    if unknown:
        raise ValueError(f'{name}: unknown calib_config keys '
                         f'{sorted(unknown)} (known: {sorted(CALIBRATION)})')
    settings = dict(CALIBRATION, **given)
    if settings['dataset'] not in ('train', 'val', 'test'):
        raise ValueError(f"{name}: calib_config.dataset must be 'train', "
                         f"'val' or 'test', not {settings['dataset']!r}")
    count = settings['num_images']
    if not isinstance(count, int) or count < 1:
        raise ValueError(f'{name}: calib_config.num_images must be a '
                         f'positive integer, not {count!r}')
    return settings


def check_calibration_image(name: str, img: np.ndarray) -> None:
    """Raise ValueError naming ``name`` unless ``img`` is grey ``uint8``."""
    if img.ndim != 2 or img.dtype != np.uint8:
        raise ValueError(f'{name}: calibration images must be grey uint8 '
                         f'(H, W), got {img.dtype} {img.shape}')


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
    """``num_images`` images spread evenly over a data set of the model
    config, loaded as its test pipeline loads them (grey ``uint8``).

    Args:
        model_cfg: The model config (its ``<dataset>_dataloader``).
        settings: :func:`calibration_settings`.

    Returns:
        The images and their names.

    Raises:
        ValueError: No such data loader, or an image that is not grey
            ``uint8``.
    """
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
    imgs, names = [], []
    for i in indices:
        img = dataset[int(i)]['img']
        name = f'{where} image {i}'
        check_calibration_image(name, img)
        imgs.append(img)
        names.append(name)
    return imgs, names


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
    such as ``backbone.detail_branch`` or ``backbone.detail_branch.0``;
    torch names a node after its module path,
    ``/backbone/detail_branch/detail_branch.0/...``).

    Raises:
        ValueError: A module with no node in the graph.
    """
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


def quantize_onnx(onnx_file: str, out_file: str, imgs: Sequence[np.ndarray],
                  preprocess: Preprocess, settings: dict,
                  input_shape: Sequence[Optional[int]], source: str,
                  keep_float: Sequence[str] = ()) -> None:
    """Write the static int8 quantisation of ``onnx_file`` to ``out_file``.

    Args:
        onnx_file: The fp32 graph.
        out_file: Where the quantised graph goes.
        imgs: Calibration images (grey ``uint8``, checked to fit).
        preprocess: The export's preprocessing.
        settings: :func:`quantization_settings`.
        input_shape: The graph's ``[N, C, H, W]``.
        source: The deploy config, named in errors.
        keep_float: Modules whose layers stay fp32 (:func:`float_nodes`).

    Raises:
        ValueError: Per-channel weights asked for a graph below opset 13,
            or a ``keep_float`` module not in the graph.
        RuntimeError: No ``onnxruntime.quantization``.
    """
    quant = require('onnxruntime.quantization', 'int8 quantisation',
                    'pip install -r requirements/runtime.txt')
    model = onnx.load(onnx_file)
    opset = max(o.version for o in model.opset_import
                if o.domain in ('', 'ai.onnx'))
    if settings['per_channel'] and opset < 13:
        raise ValueError(f'{source}: per-channel quantisation needs ONNX '
                         f'opset 13 or later, the graph is opset {opset}; '
                         'set onnx_config.opset_version = 13')
    name = model.graph.input[0].name
    exclude = float_nodes(model.graph, keep_float, source)

    class Reader(quant.CalibrationDataReader):
        def __init__(self) -> None:
            self.batches = _calibration_batches(imgs, preprocess,
                                                input_shape)

        def get_next(self) -> Optional[dict]:
            batch = next(self.batches, None)
            return None if batch is None else {name: batch}

    quant.quantize_static(
        onnx_file, out_file, Reader(),
        quant_format=getattr(quant.QuantFormat, settings['format']),
        per_channel=settings['per_channel'],
        activation_type=getattr(quant.QuantType,
                                settings['activation_type']),
        weight_type=getattr(quant.QuantType, settings['weight_type']),
        calibrate_method=getattr(quant.CalibrationMethod,
                                 settings['method']),
        nodes_to_exclude=exclude)
