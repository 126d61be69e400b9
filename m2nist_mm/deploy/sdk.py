"""mmdeploy SDK meta files (``deploy.json``, ``pipeline.json``,
``detail.json``) that describe the real M2NIST preprocessing.

mmdeploy's own ``export2SDK`` asserts that the second test-pipeline step is
a ``Resize``; M2NIST segmentation images are never resized, so the
``Preprocess`` task is written from the model config here (grey load,
optional keep-ratio ``Resize`` of detectors, normalise, and for detectors
pad) and the rest comes from mmdeploy. Segmentation graphs pad and crop
inside (:func:`.rewriters.encoder_decoder__predict`), so the SDK gives them
the image at its own size and its ``ResizeMask`` is an identity.
"""
import os.path as osp
from typing import List, Optional

import mmengine
from mmdeploy.backend.sdk.export_info import (get_deploy, get_detail,
                                              get_inference_info,
                                              get_postprocess)
from mmdeploy.utils import Task, get_task_type
from mmengine import Config

#: Test-pipeline steps the SDK preprocessing reproduces.
LOADERS = ('LoadDigitImage', 'LoadImageFromFile', 'LoadImageFromNDArray')
KNOWN_STEPS = LOADERS + ('ToGray', 'Resize', 'LoadAnnotations',
                         'PackSegInputs', 'PackDetInputs')


def step_type(step: dict) -> str:
    """A pipeline step's type without its scope (mmdeploy writes
    ``mmdet.LoadImageFromNDArray`` into the model config it is given)."""
    return step['type'].split('.')[-1]


def _resize(model_cfg: Config) -> List[dict]:
    """The test pipeline's keep-ratio ``Resize`` as an SDK step (``size``
    is ``[h, w]``), or nothing."""
    steps = [s for s in model_cfg.test_pipeline if step_type(s) == 'Resize']
    if not steps:
        return []
    step = steps[0]
    if len(steps) > 1 or not step.get('keep_ratio') or 'scale' not in step:
        raise ValueError(f'{model_cfg.filename}: only one keep_ratio Resize '
                         f'with a scale is exported, got {steps}')
    return [dict(type='Resize', size=list(step['scale'])[::-1],
                 keep_ratio=True)]


def sdk_preprocess(deploy_cfg: Config, model_cfg: Config) -> dict:
    """The SDK's ``Preprocess`` task for a model config.

    Grey load, (resize,) normalise, and pad when the graph does not, as the
    model config's test pipeline and data preprocessor do.

    Args:
        deploy_cfg: The deploy config (its task decides the padding).
        model_cfg: The model config the graph is exported from.

    Returns:
        The task dict of ``pipeline.json``.

    Raises:
        ValueError: Test-pipeline steps with no SDK equivalent, a
            multi-channel normalisation, or a detector that does not pad.
    """
    unknown = [s['type'] for s in model_cfg.test_pipeline
               if step_type(s) not in KNOWN_STEPS]
    if unknown:
        raise ValueError(
            f'{model_cfg.filename}: test_pipeline steps {unknown} have no '
            f'equivalent in the exported preprocessing (known: '
            f'{", ".join(KNOWN_STEPS)})')
    dp = model_cfg.model.data_preprocessor
    if len(dp.mean) != 1 or len(dp.std) != 1:
        raise ValueError(
            f'{model_cfg.filename}: model.data_preprocessor must take one '
            f'channel (one mean and std), got mean={dp.mean}, std={dp.std}')
    pad = []
    if get_task_type(deploy_cfg) != Task.SEGMENTATION:
        if not dp.get('pad_size_divisor'):
            raise ValueError(f'{model_cfg.filename}: model.data_preprocessor'
                             ' must pad to a size divisor (pad_size_divisor)')
        pad = [dict(type='Pad', size_divisor=int(dp.pad_size_divisor),
                    pad_val=float(dp.get('pad_value', 0)))]
    transforms = [
        dict(type='LoadImageFromFile', color_type='grayscale'),
        *_resize(model_cfg),
        dict(type='Normalize', mean=list(dp.mean), std=list(dp.std),
             to_rgb=False),
        *pad,
        dict(type='ImageToTensor', keys=['img']),
        dict(type='Collect', keys=['img'],
             meta_keys=['img_shape', 'pad_shape', 'ori_shape',
                        'img_norm_cfg']),
    ]
    return dict(type='Task', module='Transform', name='Preprocess',
                input=['img'], output=['prep_output'], transforms=transforms)


def dump_sdk_info(deploy_cfg: Config, model_cfg: Config, preprocess: dict,
                  work_dir: str, checkpoint: str,
                  input_shape: List[Optional[int]],
                  precision: str = 'FP32',
                  naming: Optional[dict] = None) -> None:
    """Write the three SDK files.

    Args:
        deploy_cfg: The deploy config.
        model_cfg: The model config the graph was exported from.
        preprocess: Its :func:`sdk_preprocess` task.
        work_dir: Where to write.
        checkpoint: The checkpoint exported (named in ``detail.json``).
        input_shape: The graph's ``[N, C, H, W]`` (``None`` for dynamic
            axes), written into ``deploy.json`` for the runtime.
        precision: The model's precision (``deploy.json``'s ``FP32``,
            ``INT8``, ...; mmdeploy knows only those of TensorRT and ncnn).
        naming: ``deploy.json``'s ``naming`` entry (the digit classifier's
            graph and the grouping settings), for a segmentor that names
            digits whole.
    """
    deploy = get_deploy(deploy_cfg, model_cfg, work_dir, 'cpu')
    deploy['models'][0].update(precision=precision, input_shape=input_shape)
    if naming:
        deploy['naming'] = naming
    infer = get_inference_info(deploy_cfg, model_cfg, work_dir, 'cpu')
    postprocess = get_postprocess(deploy_cfg, model_cfg, work_dir, 'cpu')
    postprocess['input'] = preprocess['output'] + infer['output']
    pipeline = dict(pipeline=dict(
        input=preprocess['input'], output=postprocess['output'],
        tasks=[preprocess, infer, postprocess]))
    detail = get_detail(deploy_cfg, model_cfg, pth=checkpoint)
    for name, info in (('deploy', deploy), ('pipeline', pipeline),
                       ('detail', detail)):
        mmengine.dump(info, osp.join(work_dir, f'{name}.json'),
                      sort_keys=False, indent=4)
