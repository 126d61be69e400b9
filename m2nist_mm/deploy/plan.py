"""Plan: the two configs checked together, and what the export makes of them.

:func:`make_plan` reads the deploy and model configs once and decides all
the later steps need (:class:`Plan`); a config that cannot be exported is
refused here, before anything is loaded or written.
"""
import copy
import dataclasses
import functools
import os.path as osp
from typing import Optional, Sequence, Tuple

import numpy as np
import torch
from mmdeploy.utils import (Backend, Codebase, Task, get_backend, get_codebase,
                            get_common_config, get_ir_config, get_model_inputs,
                            get_precision, get_task_type, is_dynamic_shape,
                            load_config)
from mmdeploy.utils.config_utils import get_codebase_config
from mmengine import Config

from m2nist_core.inference.backends import openvino_cpu_capabilities
from m2nist_core.inference.model import Preprocess
from ..utils.setup_env import import_custom_modules
from .sdk import LOADERS, sdk_preprocess, step_type

#: (codebase, task) -> (model config key, deploy config prefix, backends)
TASKS = {
    (Codebase.MMSEG, Task.SEGMENTATION):
    ('decode_head', 'segmentation',
     (Backend.ONNXRUNTIME, Backend.NCNN, Backend.OPENVINO,
      Backend.TENSORRT)),
    (Codebase.MMDET, Task.OBJECT_DETECTION):
    ('bbox_head', 'detection', (Backend.ONNXRUNTIME, )),
}
#: Precisions each backend exports (``deploy.json``'s names). ONNX Runtime
#: and OpenVINO read ``backend_config.precision``, the others mmdeploy's
#: keys (ncnn ``precision``, TensorRT ``common_config.fp16_mode``).
PRECISIONS = {
    Backend.ONNXRUNTIME: ('FP32', 'INT8'),
    Backend.OPENVINO: ('FP32', 'BF16', 'INT8'),
    Backend.NCNN: ('FP32', 'INT8'),
    Backend.TENSORRT: ('FP32', 'FP16'),
}
#: The least agreement with PyTorch (% of pixels or boxes) an export needs
#: by default: fp32 rounds differently only where classes tie; int8, bf16
#: and fp16 move pixels at class borders.
MIN_AGREEMENT = dict(FP32=99.9, LOW=99.5)
#: ``backend_config.quantization`` keys and their defaults.
QUANTIZATION = dict(format='QDQ', per_channel=True,
                    activation_type='QUInt8', weight_type='QInt8',
                    method='MinMax', layer_agreement=None)
#: ``calib_config`` keys and their defaults: ``num_images`` spread evenly
#: over the ``dataset`` (``train``, ``val`` or ``test``) of the model config.
CALIBRATION = dict(dataset='train', num_images=1024)


@dataclasses.dataclass(frozen=True)
class Int8:
    """An int8 export's settings (:mod:`.quantize`).

    Attributes:
        quantizer: ``backend_config.quantization`` with defaults.
        calibration: ``calib_config`` with defaults.
        keep_float: The model config's ``int8_keep_float``: modules whose
            layers stay fp32.
    """
    quantizer: dict
    calibration: dict
    keep_float: Tuple[str, ...] = ()

    @property
    def ncnn(self) -> bool:
        """ncnn's own int8 format, made from the converted ncnn model
        (else a QDQ or QOperator ONNX graph, made before conversion)."""
        return self.quantizer['format'] == 'ncnn'


@dataclasses.dataclass
class Plan:
    """What an export needs, derived once from the two configs.

    Attributes:
        deploy_cfg: The deploy config, with the graph's padding
            (:func:`pad_in_graph`).
        model_cfg: The model config as given (the PyTorch reference).
        export_cfg: The model config the graph is exported from.
        precision: ``'FP32'``, ``'INT8'``, ... (:data:`PRECISIONS`).
        int8: None for a float export.
        tensorrt: :func:`tensorrt_settings`, None for other backends.
        preprocess: The SDK ``Preprocess`` task, also what the runtime's
            ``Preprocess`` reads.
        min_agreement: The least agreement with PyTorch accepted (%).
    """
    deploy_cfg: Config
    model_cfg: Config
    export_cfg: Config
    backend: Backend
    detection: bool
    precision: str
    int8: Optional[Int8]
    tensorrt: Optional[dict]
    preprocess: dict
    min_agreement: float

    @property
    def source(self) -> str:
        """The deploy config's name, for messages."""
        return _source(self.deploy_cfg)

    @property
    def save_file(self) -> str:
        """The ONNX file name, whose stem the backend files share."""
        return get_ir_config(self.deploy_cfg)['save_file']

    @property
    def stem(self) -> str:
        """The stem of the export's model files (``end2end``)."""
        return osp.splitext(self.save_file)[0]

    @functools.cached_property
    def preprocessor(self) -> Preprocess:
        """The runtime's preprocessing of :attr:`preprocess`."""
        return Preprocess(self.preprocess['transforms'],
                          self.model_cfg.filename)

    def check_sizes(self, imgs: Sequence[np.ndarray],
                    names: Sequence[str]) -> None:
        """Raise ValueError unless every image resizes and pads to the
        size of the first (the sample a static model is exported with)."""
        if is_dynamic_shape(self.deploy_cfg):
            return
        prep = self.preprocessor
        sizes = [prep.resize(img)[0].shape for img in imgs]
        for name, hw in zip(names, sizes):
            prep.check_fit(name, hw, prep.padded_shape(sizes[0]),
                           'the static model')


def _source(cfg: Config) -> str:
    """A config's name, for messages."""
    return cfg.filename or 'deploy config'


def _precision(deploy_cfg: Config, backend: Backend) -> str:
    """The precision a deploy config exports (``deploy.json``'s name)."""
    if backend in (Backend.ONNXRUNTIME, Backend.OPENVINO):
        return deploy_cfg.backend_config.get('precision', 'FP32')
    return get_precision(deploy_cfg)


def check_configs(deploy_cfg: Config,
                  model_cfg: Config) -> Tuple[Backend, str]:
    """Check that the two configs belong together; return the deploy
    config's backend and precision.

    Raises:
        ValueError: Another codebase or task, an unsupported backend or
            precision, a model of the other task, a test pipeline without a
            loader first, or ncnn with dynamic shapes.
        RuntimeError: TensorRT without a visible GPU, bf16 on a CPU without
            it.
    """
    name = _source(deploy_cfg)
    codebase, task = get_codebase(deploy_cfg), get_task_type(deploy_cfg)
    if (codebase, task) not in TASKS:
        raise ValueError(
            f'{name} is for {codebase.value} {task.value}, not mmseg '
            'Segmentation or mmdet ObjectDetection: use a '
            'configs/deploy/{segmentation,detection}_*.py config')
    head, prefix, backends = TASKS[codebase, task]
    backend = get_backend(deploy_cfg)
    if backend not in backends:
        raise ValueError(f'{name}: backend {backend.value} is not supported '
                         f'for {task.value} (use one of '
                         f'{[b.value for b in backends]})')
    if head not in model_cfg.get('model', {}):
        raise ValueError(f'{model_cfg.filename} is not a {task.value} model '
                         f'config (no model.{head}); use a configs/deploy/'
                         f'{prefix}_*.py deploy config with it')
    pipeline = model_cfg.get('test_pipeline')
    if not pipeline or step_type(pipeline[0]) not in LOADERS:
        raise ValueError(
            f'{model_cfg.filename}: mmdeploy needs a top-level test_pipeline '
            f'whose first step is a loader ({", ".join(LOADERS)})')
    if backend == Backend.NCNN and is_dynamic_shape(deploy_cfg):
        raise ValueError(f'{name}: ncnn models are converted for one input '
                         'shape; use a static deploy config')
    if backend == Backend.TENSORRT and not torch.cuda.is_available():
        raise RuntimeError('TensorRT needs an NVIDIA GPU; none is visible')
    precision = _precision(deploy_cfg, backend)
    if precision not in PRECISIONS[backend]:
        raise ValueError(f'{name}: {backend.value} exports '
                         f'{", ".join(PRECISIONS[backend])}, not '
                         f'{precision!r} (backend_config.precision)')
    if precision == 'INT8' and task != Task.SEGMENTATION:
        raise ValueError(f'{name}: int8 export is for segmentation models')
    if backend == Backend.OPENVINO and precision == 'BF16':
        caps = openvino_cpu_capabilities()
        if 'BF16' not in caps:
            raise RuntimeError(
                f'{name} asks for bf16, which this CPU does not have '
                f'(OpenVINO CPU capabilities: {", ".join(caps)}); use the '
                'fp32 or int8 OpenVINO deploy config')
    return backend, precision


def quantization_settings(deploy_cfg: Config) -> Optional[dict]:
    """:data:`QUANTIZATION` updated with ``backend_config.quantization``,
    None for a float export.

    Raises:
        ValueError: Unknown keys or values, or ``precision`` and
            ``quantization`` that do not go together.
    """
    name = _source(deploy_cfg)
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


def calibration_settings(deploy_cfg: Config) -> dict:
    """``calib_config`` with defaults (:data:`CALIBRATION`).

    Raises:
        ValueError: Unknown keys, another data set or a non-positive count.
    """
    name = _source(deploy_cfg)
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


def int8_settings(deploy_cfg: Config, model_cfg: Config,
                  backend: Backend) -> Optional[Int8]:
    """An int8 export's settings from the two configs, checked; None for a
    float export.

    Raises:
        ValueError: Settings that :func:`quantization_settings` or
            :func:`calibration_settings` refuse, or that the backend's
            quantiser does not take: ONNX Runtime and OpenVINO take ONNX
            Runtime's QDQ or QOperator graphs, ncnn its own scheme
            (:mod:`.ncnn_int8`: signed int8, per-channel weights, max
            ranges, layers picked by ``layer_agreement``).
    """
    settings = quantization_settings(deploy_cfg)
    if settings is None:
        return None
    source, ncnn = _source(deploy_cfg), backend == Backend.NCNN
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
    return Int8(settings, calibration_settings(deploy_cfg),
                tuple(model_cfg.get('int8_keep_float', ())))


def tensorrt_settings(deploy_cfg: Config) -> dict:
    """A TensorRT deploy config's ``input_shapes`` (input name -> its
    ``min_shape``, ``opt_shape``, ``max_shape``) and ``workspace`` (bytes);
    ValueError without ``input_shapes``."""
    profiles = get_model_inputs(deploy_cfg)
    if not profiles or 'input_shapes' not in profiles[0]:
        raise ValueError(f'{_source(deploy_cfg)}: backend_config.model_inputs'
                         ' has no input_shapes (min/opt/max) for TensorRT')
    return dict(input_shapes=profiles[0]['input_shapes'],
                workspace=get_common_config(deploy_cfg).get(
                    'max_workspace_size', 1 << 30))


def pad_in_graph(deploy_cfg: Config,
                 model_cfg: Config) -> Tuple[Config, Config]:
    """Copies of ``(deploy_cfg, model_cfg)`` in which a segmentor pads
    inside its graph (docs/deployment.md); detection configs unchanged
    (the SDK rescales boxes, which padding does not move).

    The test-time padding moves to the codebase config's
    ``pad_size_divisor`` and ``pad_val``, which
    :func:`.rewriters.encoder_decoder__predict` reads. ValueError for a
    fixed test size.
    """
    if get_task_type(deploy_cfg) != Task.SEGMENTATION:
        return deploy_cfg, model_cfg
    deploy_cfg, model_cfg = copy.deepcopy(deploy_cfg), copy.deepcopy(
        model_cfg)
    preprocessor = model_cfg.model.data_preprocessor
    test_cfg = dict(preprocessor.get('test_cfg') or {})
    if test_cfg.get('size'):
        raise ValueError(f'{model_cfg.filename}: a fixed test size '
                         '(data_preprocessor.test_cfg.size) is not exported;'
                         ' use test_cfg.size_divisor')
    divisor = test_cfg.pop('size_divisor', None)
    if divisor:
        get_codebase_config(deploy_cfg).update(
            pad_size_divisor=int(divisor),
            pad_val=float(preprocessor.get('pad_val', 0)))
        preprocessor.test_cfg = test_cfg or None
    return deploy_cfg, model_cfg


def make_plan(deploy_cfg: str, model_cfg: str,
              min_agreement: Optional[float] = None) -> Plan:
    """Load and check the configs; decide what the export makes.

    Args:
        model_cfg: The model config file (its ``custom_imports`` are
            imported, registering the model's modules).
        min_agreement: The least agreement with PyTorch accepted (%);
            None for :data:`MIN_AGREEMENT` of the export's precision.

    Raises:
        ValueError, RuntimeError: Configs that cannot be exported.
    """
    deploy_cfg, model_cfg = load_config(deploy_cfg, model_cfg)
    import_custom_modules(model_cfg)
    backend, precision = check_configs(deploy_cfg, model_cfg)
    int8 = int8_settings(deploy_cfg, model_cfg, backend)
    tensorrt = tensorrt_settings(deploy_cfg) \
        if backend == Backend.TENSORRT else None
    deploy_cfg, export_cfg = pad_in_graph(deploy_cfg, model_cfg)
    if min_agreement is None:
        min_agreement = MIN_AGREEMENT['FP32' if precision == 'FP32' else
                                      'LOW']
    return Plan(deploy_cfg, model_cfg, export_cfg, backend,
                get_task_type(deploy_cfg) == Task.OBJECT_DETECTION,
                precision, int8, tensorrt,
                sdk_preprocess(deploy_cfg, export_cfg),
                min_agreement)
