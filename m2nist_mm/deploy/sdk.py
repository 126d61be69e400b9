"""The ``Preprocess`` task of ``pipeline.json``, which mmdeploy's SDK and
the runtime for exported models run; written here, as mmdeploy's own
``export2SDK`` asserts a ``Resize`` that M2NIST segmentation never has.
"""
from typing import List

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
    """The SDK's ``Preprocess`` task dict: grey load, (resize,) normalise,
    and pad when the graph does not (detectors), as the model config does.

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
