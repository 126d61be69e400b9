"""mmdeploy SDK meta files (``deploy.json``, ``pipeline.json``,
``detail.json``) that describe the real M2NIST preprocessing.

mmdeploy's own ``export2SDK`` asserts that the second test-pipeline step is
a ``Resize``; M2NIST images are never resized, so the ``Preprocess`` task
is written from the model config here and the rest comes from mmdeploy.
"""
import os.path as osp
from typing import List, Optional

import mmengine
from mmdeploy.backend.sdk.export_info import (get_deploy, get_detail,
                                              get_inference_info,
                                              get_postprocess)
from mmengine import Config

#: Test-pipeline steps the SDK preprocessing reproduces.
LOADERS = ('LoadDigitImage', 'LoadImageFromFile', 'LoadImageFromNDArray')
KNOWN_STEPS = LOADERS + ('ToGray', 'PackSegInputs')


def sdk_preprocess(model_cfg: Config) -> dict:
    """The ``Preprocess`` task: grey load, normalise, pad (as in training)."""
    unknown = [s['type'] for s in model_cfg.test_pipeline
               if s['type'] not in KNOWN_STEPS]
    if unknown:
        raise ValueError(
            f'{model_cfg.filename}: test_pipeline steps {unknown} have no '
            f'equivalent in the exported preprocessing (known: '
            f'{", ".join(KNOWN_STEPS)})')
    dp = model_cfg.model.data_preprocessor
    divisor = dp.get('test_cfg', {}).get('size_divisor')
    if len(dp.mean) != 1 or len(dp.std) != 1 or not divisor:
        raise ValueError(
            f'{model_cfg.filename}: model.data_preprocessor must take one '
            'channel (one mean and std) and pad to test_cfg.size_divisor, '
            f'got mean={dp.mean}, std={dp.std}, test_cfg={dp.get("test_cfg")}')
    transforms = [
        dict(type='LoadImageFromFile', color_type='grayscale'),
        dict(type='Normalize', mean=list(dp.mean), std=list(dp.std),
             to_rgb=False),
        dict(type='Pad', size_divisor=int(divisor),
             pad_val=float(dp.get('pad_val', 0))),
        dict(type='ImageToTensor', keys=['img']),
        dict(type='Collect', keys=['img'],
             meta_keys=['img_shape', 'pad_shape', 'ori_shape',
                        'img_norm_cfg']),
    ]
    return dict(type='Task', module='Transform', name='Preprocess',
                input=['img'], output=['prep_output'], transforms=transforms)


def dump_sdk_info(deploy_cfg: Config, model_cfg: Config, work_dir: str,
                  checkpoint: str,
                  input_shape: List[Optional[int]]) -> None:
    """Write the three SDK files; ``deploy.json`` also gets ``input_shape``
    (``[N, C, H, W]``, ``None`` for dynamic axes) for the runtime."""
    deploy = get_deploy(deploy_cfg, model_cfg, work_dir, 'cpu')
    deploy['models'][0]['input_shape'] = input_shape
    preprocess = sdk_preprocess(model_cfg)
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
