"""Export a trained checkpoint through mmdeploy to a backend work dir."""
import contextlib
import copy
import dataclasses
import functools
import os
import os.path as osp
import tempfile
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import onnx
import torch
from mmdeploy.apis import torch2onnx
from mmdeploy.apis.utils import to_backend
from mmdeploy.utils import (Backend, Codebase, Task, get_backend, get_codebase,
                            get_ir_config, get_precision, get_task_type,
                            is_dynamic_shape, load_config)
from mmdeploy.utils.config_utils import get_codebase_config
from mmengine import Config

from m2nist_core.inference import DeployedDetector, DeployedModel
from m2nist_core.inference.backends import openvino_cpu_capabilities
from m2nist_core.inference.model import Preprocess
from ..apis.inference import (import_custom_modules, load_model, torch_detect,
                              torch_predict)
from .converters import (onnx2ncnn, onnx2openvino, onnx2tensorrt,
                         tensorrt_profile)
from .naming import CLASSIFIER_FILE, export_classifier
from .ncnn_int8 import float_weights, quantize_ncnn
from .quantize import (calibration_images, calibration_settings,
                       check_calibration_image, check_quantizer,
                       quantization_settings, quantize_onnx)
from .sdk import LOADERS, dump_sdk_info, sdk_preprocess, step_type
from .sdk_client import SDK_BACKENDS, sdk_detect, sdk_installed, sdk_segment
from .verify import agreement

#: (codebase, task) -> (model config key, deploy config prefix, backends)
TASKS = {
    (Codebase.MMSEG, Task.SEGMENTATION):
    ('decode_head', 'segmentation',
     (Backend.ONNXRUNTIME, Backend.NCNN, Backend.OPENVINO,
      Backend.TENSORRT)),
    (Codebase.MMDET, Task.OBJECT_DETECTION):
    ('bbox_head', 'detection', (Backend.ONNXRUNTIME, )),
}
#: The SDK meta files; with ``<save_file stem>.*`` all an export writes.
OUTPUTS = ('deploy.json', 'pipeline.json', 'detail.json')
#: The least agreement with PyTorch (% of pixels or boxes) an export needs
#: by default: fp32 rounds differently only where classes tie; int8, bf16
#: and fp16 move pixels at class borders.
MIN_AGREEMENT = dict(FP32=99.9, LOW=99.5)
#: Precisions each backend exports (``deploy.json``'s names). ONNX Runtime
#: and OpenVINO read ``backend_config.precision``, the others mmdeploy's
#: keys (ncnn ``precision``, TensorRT ``common_config.fp16_mode``).
PRECISIONS = {
    Backend.ONNXRUNTIME: ('FP32', 'INT8'),
    Backend.OPENVINO: ('FP32', 'BF16', 'INT8'),
    Backend.NCNN: ('FP32', 'INT8'),
    Backend.TENSORRT: ('FP32', 'FP16'),
}


@contextlib.contextmanager
def torchscript_onnx_export() -> Iterator[None]:
    """Make ``torch.onnx.export`` default to the TorchScript exporter.

    torch >= 2.9 defaults to the dynamo exporter; mmdeploy's rewriters patch
    the TorchScript one (``dynamo=False``). Restored on exit.
    """
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


def precision_of(deploy_cfg: Config, backend: Backend) -> str:
    """The precision a deploy config exports (``deploy.json``'s name)."""
    if backend in (Backend.ONNXRUNTIME, Backend.OPENVINO):
        return deploy_cfg.backend_config.get('precision', 'FP32')
    return get_precision(deploy_cfg)


def check_configs(deploy_cfg: Config, model_cfg: Config) -> Backend:
    """Check that the two configs belong together.

    Args:
        deploy_cfg: An mmdeploy deploy config.
        model_cfg: The model config it is to export.

    Returns:
        The deploy config's backend.

    Raises:
        ValueError: Another codebase or task, an unsupported backend or
            precision, a model of the other task, a test pipeline without a
            loader first, or ncnn with dynamic shapes.
        RuntimeError: TensorRT without a visible GPU, bf16 on a CPU without
            it.
    """
    name = deploy_cfg.filename or 'deploy config'
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
    precision = precision_of(deploy_cfg, backend)
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
    settings = quantization_settings(deploy_cfg)  # raises on bad settings
    if settings:
        check_quantizer(settings, backend.value, name)
    return backend


def pad_in_graph(deploy_cfg: Config,
                 model_cfg: Config) -> Tuple[Config, Config]:
    """Copies of the configs in which a segmentor pads inside its graph.

    The test-time padding of the model config's data preprocessor
    (``test_cfg.size_divisor``, ``pad_val``) moves to the deploy config's
    codebase config (``pad_size_divisor``, ``pad_val``), where
    :func:`.rewriters.encoder_decoder__predict` reads it: the exported
    graph then takes images at their own size, pads them and crops its
    output back, as PyTorch does, so mmdeploy's SDK (which resizes the
    output to the image size) gives the PyTorch result. Detection configs
    are returned unchanged (the SDK rescales boxes; padding does not move
    them).

    Args:
        deploy_cfg: The deploy config.
        model_cfg: The model config.

    Returns:
        ``(deploy_cfg, model_cfg)`` to export with.

    Raises:
        ValueError: The data preprocessor pads to a fixed test size.
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


@dataclasses.dataclass
class Plan:
    """What an export needs, derived once from the two configs.

    Attributes:
        deploy_cfg: The deploy config (with the graph's padding, see
            :func:`pad_in_graph`).
        model_cfg: The model config as given (the PyTorch reference).
        export_cfg: The model config the graph is exported from.
        backend: The backend.
        detection: Whether the model is a detector.
        preprocess: The SDK ``Preprocess`` task (:func:`.sdk.sdk_preprocess`),
            also what the runtime's ``Preprocess`` reads.
        precision: ``'FP32'``, ``'INT8'``, ... (:data:`PRECISIONS`).
        quantization: The int8 quantiser's settings
            (:func:`.quantize.quantization_settings`), None for float.
    """
    deploy_cfg: Config
    model_cfg: Config
    export_cfg: Config
    backend: Backend
    detection: bool
    preprocess: dict
    precision: str
    quantization: Optional[dict]

    @property
    def save_file(self) -> str:
        """The ONNX file name, whose stem the backend files share."""
        return get_ir_config(self.deploy_cfg)['save_file']


def prepare(deploy_cfg: str, model_cfg: str) -> Plan:
    """Load and check the configs; derive the export's preprocessing.

    Args:
        deploy_cfg: The deploy config file.
        model_cfg: The model config file (its ``custom_imports`` are
            imported, registering the model's modules).

    Returns:
        The :class:`Plan` every later step reads.
    """
    deploy_cfg, model_cfg = load_config(deploy_cfg, model_cfg)
    import_custom_modules(model_cfg)
    backend = check_configs(deploy_cfg, model_cfg)
    deploy_cfg, export_cfg = pad_in_graph(deploy_cfg, model_cfg)
    return Plan(deploy_cfg, model_cfg, export_cfg, backend,
                get_task_type(deploy_cfg) == Task.OBJECT_DETECTION,
                sdk_preprocess(deploy_cfg, export_cfg),
                precision_of(deploy_cfg, backend),
                quantization_settings(deploy_cfg))


def check_sizes(plan: Plan, imgs: Sequence[np.ndarray],
                names: Sequence[str]) -> None:
    """A static model takes one input size: every image must (resize and
    pad) to the size of the first (the sample it is exported with).

    Args:
        plan: The export's :class:`Plan`.
        imgs: Grey ``uint8`` images, the sample first.
        names: Their names for messages.

    Raises:
        ValueError: An image that does not fit, named.
    """
    if is_dynamic_shape(plan.deploy_cfg):
        return
    preprocess = Preprocess(plan.preprocess['transforms'],
                            plan.model_cfg.filename)
    padded = [preprocess.padded_shape(preprocess.resize(img)[0].shape)
              for img in imgs]
    for name, img, shape in zip(names, imgs, padded):
        if shape != padded[0]:
            what = f'a {img.shape[0]}x{img.shape[1]} image' + (
                '' if shape == img.shape[:2] else
                f' (padded to {shape[0]}x{shape[1]})')
            raise ValueError(
                f'{name}: {what} does not fit the static model, exported '
                f'for {padded[0][0]}x{padded[0][1]} input ({names[0]}); '
                'check it with the dynamic deploy config')


def onnx_input_shape(onnx_file: str) -> List[Optional[int]]:
    """``[N, C, H, W]`` of the graph input, ``None`` for dynamic axes."""
    dims = onnx.load(onnx_file).graph.input[0].type.tensor_type.shape.dim
    return [d.dim_value if d.HasField('dim_value') else None for d in dims]


def check_agreement(what: str, agree: float, needed: float, unit: str,
                    count: int, work_dir: str) -> None:
    """Refuse an export that agrees with PyTorch on too little.

    Args:
        what: What was compared, for the message.
        agree: Its agreement (%).
        needed: The least agreement accepted (%).
        unit: What the percentage counts (pixels, boxes).
        count: How many images were compared.
        work_dir: The export's work dir (named as left untouched).

    Raises:
        RuntimeError: ``agree < needed``.
    """
    if agree < needed:
        raise RuntimeError(
            f'{what} agrees with PyTorch on only {agree:.4f} % of the {unit} '
            f'of {count} image(s) (needed: {needed} %); {work_dir} left as '
            'it was')


def _replace_export(tmp: str, work_dir: str, stem: str) -> List[str]:
    """Move the new files in, then remove what is left of an older export
    (e.g. an ``.onnx`` beside a new ncnn model)."""
    files = sorted(os.listdir(tmp))
    for name in files:
        os.replace(osp.join(tmp, name), osp.join(work_dir, name))
    for name in os.listdir(work_dir):
        if name not in files and (name in OUTPUTS + (CLASSIFIER_FILE, )
                                  or osp.splitext(name)[0] == stem):
            os.remove(osp.join(work_dir, name))
    return [osp.join(work_dir, f) for f in files]


def convert(plan: Plan, checkpoint: str, img: np.ndarray, out_dir: str,
            calib_imgs: Sequence[np.ndarray] = ()) -> List[Optional[int]]:
    """Export the graph to ONNX, quantise it for an int8 export, and
    convert it for the backend.

    Args:
        plan: The export's :class:`Plan`.
        checkpoint: The checkpoint to export.
        img: The sample image the graph is traced with.
        out_dir: Where the ONNX and backend files are written.
        calib_imgs: Calibration images of an int8 export.

    Returns:
        The graph's input shape ``[N, C, H, W]`` (``None`` for dynamic
        axes).
    """
    with torchscript_onnx_export():
        torch2onnx(img, out_dir, plan.save_file, plan.deploy_cfg,
                   plan.export_cfg, checkpoint, 'cpu')
    onnx_file = osp.join(out_dir, plan.save_file)
    shape = onnx_input_shape(onnx_file)
    stem = osp.splitext(plan.save_file)[0]
    keep_float = plan.model_cfg.get('int8_keep_float', [])
    if plan.quantization and plan.backend != Backend.NCNN:
        int8_file = osp.join(out_dir, f'{stem}.int8.onnx')
        quantize_onnx(onnx_file, int8_file, calib_imgs,
                      Preprocess(plan.preprocess['transforms'],
                                 plan.model_cfg.filename),
                      plan.quantization, shape, plan.deploy_cfg.filename,
                      keep_float)
        os.replace(int8_file, onnx_file)
    if plan.backend == Backend.NCNN:
        files = onnx2ncnn(onnx_file, shape, out_dir, stem)
        if plan.quantization:
            quantize_ncnn(*files, calib_imgs,
                          Preprocess(plan.preprocess['transforms'],
                                     plan.model_cfg.filename),
                          float_weights(onnx_file, keep_float,
                                        plan.deploy_cfg.filename),
                          plan.quantization['layer_agreement'])
    elif plan.backend == Backend.OPENVINO:
        onnx2openvino(onnx_file, out_dir, stem)
    elif plan.backend == Backend.TENSORRT:
        onnx2tensorrt(onnx_file, plan.deploy_cfg,
                      tensorrt_profile(plan.deploy_cfg, shape), out_dir, stem)
    else:
        to_backend(plan.backend.value, [onnx_file], out_dir, plan.deploy_cfg)
    return shape


def verify(plan: Plan, model: torch.nn.Module, out_dir: str,
           imgs: Sequence[np.ndarray], names: Sequence[str], device: str,
           min_agreement: float, work_dir: str) -> Dict:
    """Run the export in ``out_dir`` (the runtime, and mmdeploy's SDK when
    installed) against PyTorch; refuse it below ``min_agreement`` %.

    Args:
        plan: The export's :class:`Plan`.
        model: The PyTorch reference (:func:`..apis.load_model`).
        out_dir: The folder with the new export.
        imgs: Grey ``uint8`` images to compare on.
        names: Their names for messages.
        device: Where the export runs.
        min_agreement: The least agreement accepted (%).
        work_dir: The final work dir (named in the refusal).

    Returns:
        dict: ``agreement`` (%), its ``unit``, ``sdk_agreement`` (None when
        the SDK was not run).
    """
    if plan.detection:
        from .verify_det import box_agreement
        refs = torch_detect(model, imgs)
        runtime, sdk_run = DeployedDetector(out_dir, device), sdk_detect
        unit = 'boxes (score >= 0.3)'

        def compare(preds: list) -> float:
            return box_agreement(preds, refs)['agreement']

        found = runtime(imgs, names)
    else:
        # a segmentor that names digits whole: its named result and its
        # segmenter's own classes must both agree (the naming could hide a
        # segmenter gone wrong)
        runtime = DeployedModel(out_dir, device)
        passes = (True, False) if runtime.namer is not None else (True, )
        refs = {named: torch_predict(model, imgs, named=named)
                for named in passes}
        unit = 'pixels'

        def sdk_run(work: str, imgs: list, device: str) -> dict:
            return {named: sdk_segment(work, imgs, device, named)
                    for named in passes}

        def compare(preds: dict) -> float:
            return min(agreement(preds[n], refs[n]) for n in passes)

        found = {named: [m for m, _ in runtime.predict(imgs, names, named)]
                 for named in passes}
    agree = compare(found)
    check_agreement(f'the {plan.backend.value} model', agree, min_agreement,
                    unit, len(imgs), work_dir)
    sdk_agree = None
    if plan.backend.value in SDK_BACKENDS and sdk_installed():
        sdk_agree = compare(sdk_run(out_dir, imgs, device))
        check_agreement("mmdeploy's SDK (mmdeploy_runtime) on the export",
                        sdk_agree, min_agreement, unit, len(imgs), work_dir)
    return dict(agreement=agree, unit=unit, sdk_agreement=sdk_agree)


def calibration(plan: Plan, calib_imgs: Optional[Sequence[np.ndarray]],
                calib_names: Optional[Sequence[str]]
                ) -> Tuple[List[np.ndarray], List[str]]:
    """An int8 export's calibration images and their names: those given,
    or those ``calib_config`` picks from the model config's data set.

    Raises:
        ValueError: Calibration images for a float export, none at all,
            or images that are not grey ``uint8``.
    """
    if not plan.quantization:
        if calib_imgs:
            raise ValueError(f'{plan.deploy_cfg.filename} exports '
                             f'{plan.precision}: calibration images are for '
                             'int8 deploy configs')
        return [], []
    if calib_imgs is None:
        return calibration_images(plan.model_cfg,
                                  calibration_settings(plan.deploy_cfg))
    calib_names = list(calib_names or [f'calibration image {i}'
                                       for i in range(len(calib_imgs))])
    if not calib_imgs or len(calib_names) != len(calib_imgs):
        raise ValueError(f'{len(calib_imgs)} calibration images and '
                         f'{len(calib_names)} names')
    for name, im in zip(calib_names, calib_imgs):
        check_calibration_image(name, im)
    return list(calib_imgs), calib_names


def export(deploy_cfg: str, model_cfg: str, checkpoint: str,
           img: np.ndarray, work_dir: str,
           check_imgs: Sequence[np.ndarray] = (), device: str = 'cpu',
           min_agreement: Optional[float] = None,
           names: Optional[Sequence[str]] = None,
           calib_imgs: Optional[Sequence[np.ndarray]] = None,
           calib_names: Optional[Sequence[str]] = None) -> Dict:
    """Export ``checkpoint``, write the SDK meta files, check the result.

    The backend files are made in a temporary directory and replace those
    of any earlier export in ``work_dir`` only when the backend model agrees
    with PyTorch on ``img`` and ``check_imgs`` (grey ``uint8`` images,
    called ``names`` in messages) in at least ``min_agreement`` % of the
    pixels (segmentation) or boxes (detection, see ``box_agreement``); a
    failed export leaves ``work_dir`` as it was. Steps: :func:`prepare`,
    :func:`convert`, :func:`.naming.export_classifier` (a segmentor that
    names digits whole), :func:`.sdk.dump_sdk_info`, :func:`verify`, then
    the files move into ``work_dir``.

    When ``mmdeploy_runtime`` (mmdeploy's SDK) is installed and runs the
    backend, the SDK's own result on the export must agree as well.

    An int8 deploy config quantises the graph (:mod:`.quantize`) with
    ranges measured on ``calib_imgs``, by default the images its
    ``calib_config`` picks from the model config's training set.

    Args:
        deploy_cfg: The deploy config file (``configs/deploy/*.py``).
        model_cfg: The model config file.
        checkpoint: The checkpoint to export.
        img: The sample image (grey ``uint8``) the graph is traced with;
            a static model takes its size.
        work_dir: Where the export goes.
        check_imgs: More images to check the export on.
        device: Where the export runs for the check.
        min_agreement: The least agreement with PyTorch accepted (%);
            None for :data:`MIN_AGREEMENT` of the export's precision.
        names: Names of ``img`` and ``check_imgs`` for messages.
        calib_imgs: Calibration images (grey ``uint8``) of an int8 export.
        calib_names: Their names for messages.

    Returns:
        dict: ``files`` written, ``backend``, ``precision``, the number of
        ``calib_images``, ``input_shape``, the
        ``agreement`` (%) of what (``unit``), the SDK's
        (``sdk_agreement``, None when not run) and the number of
        ``images`` it was checked on.
    """
    plan = prepare(deploy_cfg, model_cfg)
    if min_agreement is None:
        min_agreement = MIN_AGREEMENT[
            'FP32' if plan.precision == 'FP32' else 'LOW']
    imgs = [img, *check_imgs]
    names = names or [f'image {i}' for i in range(len(imgs))]
    if len(names) != len(imgs):
        raise ValueError(f'{len(names)} names for {len(imgs)} images')
    check_sizes(plan, imgs, names)
    calib, calib_names = calibration(plan, calib_imgs, calib_names)
    if calib:  # they must fit a static graph as well
        check_sizes(plan, [img, *calib], [names[0], *calib_names])
    # the reference: the model as tools/test.py runs it (strict loading)
    model = load_model(plan.model_cfg, checkpoint)
    os.makedirs(work_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_dir, prefix='.partial-') as tmp:
        shape = convert(plan, checkpoint, img, tmp, calib)
        naming = export_classifier(model, tmp)
        dump_sdk_info(plan.deploy_cfg, plan.export_cfg, plan.preprocess, tmp,
                      checkpoint, shape, plan.precision, naming)
        checked = verify(plan, model, tmp, imgs, names, device,
                         min_agreement, work_dir)
        files = _replace_export(tmp, work_dir,
                                osp.splitext(plan.save_file)[0])
    return dict(files=files, input_shape=shape, backend=plan.backend.value,
                precision=plan.precision, images=len(imgs),
                calib_images=len(calib), **checked)
