"""Export through mmdeploy to ONNX Runtime and ncnn, checked against torch."""
import json
import os
import os.path as osp

import numpy as np
import onnx
import pytest
import torch

from m2nist_core import DataFileError
from m2nist_core.inference import DeployedModel
from m2nist_mm.apis import load_model, torch_predict
from m2nist_mm.deploy import agreement, export, torchscript_onnx_export
from ..conftest import model_cfg
from .conftest import classes_seen, deploy_cfg, segmenter_outputs

pytestmark = pytest.mark.slow  # trains or exports models, runs tools

STATIC = ['onnxruntime_static-64x84', 'ncnn_static-64x84']


@pytest.mark.parametrize('backend', STATIC)
@pytest.mark.parametrize('model', ['fastscnn', 'unet'])
def test_export_matches_torch(exports, checkpoints, images, model, backend):
    work = exports(model, backend)
    deployed = DeployedModel(work)
    assert deployed.input_shape == [1, 1, 64, 84]  # pads in the graph
    preds = deployed(images)
    refs = torch_predict(
        load_model(model_cfg(model), checkpoints[model]), images)
    assert classes_seen(refs) >= 2  # digits found and named
    assert [p.shape for p in preds] == [(64, 84)] * len(images)
    assert agreement(preds, refs) >= 99.99
    # the segmenter graph itself, before naming
    raw, raw_refs = segmenter_outputs(work, model, checkpoints[model],
                                      images)
    assert classes_seen(raw_refs) >= 3  # not a model of one class
    assert agreement(raw, raw_refs) >= 99.99
    # only backend files and SDK meta, no pnnx intermediates or temp dirs
    expected = {'deploy.json', 'pipeline.json', 'detail.json', 'end2end.onnx',
                'digit_classifier.onnx'}
    if backend.startswith('ncnn'):
        expected |= {'end2end.param', 'end2end.bin'}
    assert set(os.listdir(work)) == expected


def test_scale_select_export_matches_torch(tmp_path, checkpoints, images):
    """The scale-channel segmentor (nine channels, selection in the graph)
    exports as it predicts; it loads the plain model's checkpoint."""
    cfg = model_cfg('fastscnn_scale-select')
    work = str(tmp_path / 'select')
    export(deploy_cfg('onnxruntime_static-64x84'), cfg,
           checkpoints['fastscnn'], images[0], work, images[1:4],
           min_agreement=99.9)
    preds = DeployedModel(work)(images)
    refs = torch_predict(load_model(cfg, checkpoints['fastscnn']), images)
    assert classes_seen(refs) >= 3
    assert agreement(preds, refs) >= 99.99
    plain = torch_predict(
        load_model(model_cfg('fastscnn'), checkpoints['fastscnn']), images)
    assert agreement(plain, refs) < 99  # the channels change the answer


def test_sdk_meta_describes_the_real_pipeline(exports):
    work = exports('fastscnn', 'ncnn_static-64x84')
    meta = {
        n: json.load(open(osp.join(work, f'{n}.json')))
        for n in ('deploy', 'pipeline', 'detail')
    }
    model = meta['deploy']['models'][0]
    assert (model['backend'], model['net'], model['weights']) == \
        ('ncnn', 'end2end.param', 'end2end.bin')
    tasks = meta['pipeline']['pipeline']['tasks']
    steps = {t['type']: t for t in tasks[0]['transforms']}
    assert steps['LoadImageFromFile']['color_type'] == 'grayscale'
    assert (steps['Normalize']['mean'], steps['Normalize']['std']) == \
        ([0.0], [255.0])
    assert 'Pad' not in steps  # the graph pads and crops
    assert 'Resize' not in steps  # M2NIST images are never resized
    assert tasks[2]['params']['with_argmax'] is False  # ncnn: argmax outside
    assert meta['detail']['codebase_config']['type'] == 'mmseg'
    assert meta['detail']['codebase_config']['pad_size_divisor'] == 32
    assert meta['detail']['codebase']['config'].endswith('m2nist_fastscnn.py')


def test_static_fastscnn_pools_with_fixed_kernels(exports):
    graph = onnx.load(
        osp.join(
            exports('fastscnn', 'onnxruntime_static-64x84'),
            'end2end.onnx')).graph
    pools = [n for n in graph.node if n.op_type == 'AveragePool']
    kernels = sorted(
        tuple(a.ints) for n in pools for a in n.attribute
        if a.name == 'kernel_shape')
    assert kernels == [(2, 3), (4, 6), (8, 12)]  # bins 4, 2, 1 of 8x12


@pytest.mark.parametrize('model', ['fastscnn', 'unet'])
def test_full_resolution_logits_are_not_resized(exports, model):
    """Both heads predict at the (padded) input size: the classifier's
    logits go to the crop and the ArgMax without mmseg's identity
    resize."""
    graph = onnx.load(osp.join(exports(model, 'onnxruntime_dynamic'),
                               'end2end.onnx')).graph
    made_by = {out: n for n in graph.node for out in n.output}
    node = made_by[next(n for n in graph.node
                        if n.op_type == 'ArgMax').input[0]]
    while node.op_type == 'Slice':  # the crop of the padding
        node = made_by[node.input[0]]
    assert (node.op_type, node.name) == ('Conv', '/conv_seg/Conv')


def test_dynamic_batch_is_one_run(exports, images):
    deployed = DeployedModel(exports('fastscnn', 'onnxruntime_dynamic'))
    batch = deployed.preprocess(images[:3])
    assert deployed.run(batch)[0].shape == (3, 1, 64, 84)
    singles = [deployed([img])[0] for img in images[:3]]
    for one, many in zip(singles, deployed(images[:3])):
        np.testing.assert_array_equal(one, many)


def test_dynamic_fastscnn_is_exact_at_other_sizes(exports, checkpoints,
                                                  images):
    """Pyramid pooling follows the input size (block means, not a kernel
    fixed at export), so a larger image is still exact."""
    work = exports('fastscnn', 'onnxruntime_dynamic')
    graph = onnx.load(osp.join(work, 'end2end.onnx')).graph
    assert 'AveragePool' not in {n.op_type for n in graph.node}
    big = np.zeros((100, 130), np.uint8)
    big[:64, :84], big[36:, 46:] = images[4], images[5]
    deployed = DeployedModel(work)
    assert deployed.input_shape == [None, 1, None, None]
    preds = deployed([big, images[6]])
    refs = torch_predict(
        load_model(model_cfg('fastscnn'), checkpoints['fastscnn']),
        [big, images[6]])
    assert preds[0].shape == (100, 130)
    assert agreement(preds, refs) >= 99.99


def test_static_model_refuses_other_sizes(exports):
    deployed = DeployedModel(exports('fastscnn', 'onnxruntime_static-64x84'))
    with pytest.raises(
            ValueError,
            match='100x130 image does not fit.*'
            'exported for 64x84 input.*dynamic deploy config'):
        deployed([np.zeros((100, 130), np.uint8)], ['big.png'])


def test_exporter_is_restored():
    original = torch.onnx.export
    with torchscript_onnx_export():
        assert torch.onnx.export is not original
    assert torch.onnx.export is original


def _no_export_left(work: str) -> None:
    assert not [
        f for f in os.listdir(work) if f.startswith(('end2end', '.partial'))
    ]


def test_checkpoint_of_another_model_is_refused(tmp_path, checkpoints, images):
    with pytest.raises(
            ValueError, match='unet.pth does not match .*'
            'm2nist_fastscnn.py'):
        export(
            deploy_cfg('onnxruntime_static-64x84'), model_cfg('fastscnn'),
            checkpoints['unet'], images[0], str(tmp_path))
    _no_export_left(str(tmp_path))


def test_corrupt_and_missing_checkpoints(tmp_path, images):
    bad = tmp_path / 'bad.pth'
    bad.write_bytes(b'not a checkpoint')
    with pytest.raises(ValueError, match='bad.pth: cannot be read'):
        export(
            deploy_cfg('onnxruntime_static-64x84'), model_cfg('unet'),
            str(bad), images[0], str(tmp_path / 'w'))
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        export(
            deploy_cfg('onnxruntime_static-64x84'), model_cfg('unet'),
            str(tmp_path / 'missing.pth'), images[0], str(tmp_path / 'w'))


def test_check_image_of_another_size_is_refused_first(tmp_path, checkpoints,
                                                      images):
    with pytest.raises(
            ValueError,
            match='big.png: a 100x130 image does not '
            'fit the static model, exported for 64x84 input'):
        export(
            deploy_cfg('onnxruntime_static-64x84'),
            model_cfg('unet'),
            checkpoints['unet'],
            images[0],
            str(tmp_path), [np.zeros((100, 130), np.uint8)],
            names=['a.png', 'big.png'])
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize('base,override,match', [
    ('ncnn_static-64x84',
     "onnx_config = dict(dynamic_axes=dict(input={2: 'height', 3: 'width'}))",
     'ncnn models are converted for one input shape'),
    ('onnxruntime_static-64x84',
     "codebase_config = dict(type='mmpretrain', task='Classification')",
     'is for mmpretrain Classification, not mmseg Segmentation or mmdet'),
])
def test_unusable_deploy_configs_are_refused(tmp_path, checkpoints, images,
                                             base, override, match):
    """A dynamic ncnn config; a deploy config of another codebase."""
    cfg = tmp_path / 'deploy_cfg.py'
    cfg.write_text(f"_base_ = ['{deploy_cfg(base)}']\n{override}\n")
    with pytest.raises(ValueError, match=match):
        export(
            str(cfg), model_cfg('unet'), checkpoints['unet'], images[0],
            str(tmp_path / 'w'))


def test_failed_check_writes_nothing(tmp_path, checkpoints, images):
    """An export that misses the agreement asked for is not kept; the work
    dir (here with an earlier export's file) stays as it was."""
    (tmp_path / 'end2end.onnx').write_bytes(b'old')
    with pytest.raises(RuntimeError, match='agrees with PyTorch on only'):
        export(
            deploy_cfg('onnxruntime_static-64x84'),
            model_cfg('unet'),
            checkpoints['unet'],
            images[0],
            str(tmp_path),
            min_agreement=100.01)
    assert os.listdir(tmp_path) == ['end2end.onnx']
    assert (tmp_path / 'end2end.onnx').read_bytes() == b'old'


@pytest.mark.skipif(
    torch.cuda.is_available(), reason='checks the no-GPU '
    'error')
def test_tensorrt_without_gpu_is_a_clear_error(tmp_path, checkpoints, images):
    with pytest.raises(RuntimeError, match='TensorRT needs an NVIDIA GPU'):
        export(
            deploy_cfg('tensorrt_static-64x84'), model_cfg('unet'),
            checkpoints['unet'], images[0], str(tmp_path))


@pytest.mark.skipif(
    not torch.cuda.is_available(), reason='TensorRT needs '
    'an NVIDIA GPU')
@pytest.mark.parametrize('precision', ['', '-fp16'])
def test_tensorrt_matches_torch(tmp_path, checkpoints, images, precision):
    pytest.importorskip('tensorrt')
    out = export(
        deploy_cfg(f'tensorrt{precision}_static-64x84'),
        model_cfg('fastscnn'),
        checkpoints['fastscnn'],
        images[0],
        str(tmp_path),
        images[1:],
        device='cuda',
        min_agreement=99.0 if precision else 99.99)
    assert out['backend'] == 'tensorrt'
    deployed = DeployedModel(str(tmp_path), device='cuda')
    refs = torch_predict(
        load_model(model_cfg('fastscnn'), checkpoints['fastscnn']), images)
    assert agreement(deployed(images), refs) == pytest.approx(out['agreement'])
    engine = tmp_path / 'end2end.engine'
    engine.write_bytes(engine.read_bytes()[:1000])
    with pytest.raises(DataFileError, match='end2end.engine: TensorRT cannot'):
        DeployedModel(str(tmp_path), device='cuda')
