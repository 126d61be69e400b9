"""OpenVINO (fp32, bf16, int8) and ONNX Runtime int8 exports: checked
against PyTorch, their files, and clear errors on bad settings and
calibration data."""
import json
import os
import os.path as osp
import sys

import numpy as np
import onnx
import openvino as ov
import pytest
from mmengine import Config

from m2nist_core.inference import DeployedModel
from m2nist_core.inference.backends import openvino_cpu_capabilities
from m2nist_mm.apis import load_model, torch_predict
from m2nist_mm.deploy import agreement, export
from m2nist_mm.deploy.plan import calibration_settings, quantization_settings
from m2nist_mm.deploy.quantize import calibration_images
from ..conftest import model_cfg
from .conftest import (LOW_PRECISION_AGREEMENT, classes_seen, deploy_cfg,
                       segmenter_outputs)

pytestmark = pytest.mark.slow  # exports models

HAS_BF16 = 'BF16' in openvino_cpu_capabilities()
FLOAT = ['openvino_dynamic'] + (['openvino-bf16_dynamic'] if HAS_BF16
                                else [])
INT8 = ['onnxruntime-int8_dynamic', 'openvino-int8_dynamic']


def _refs(checkpoints, model, imgs):
    return torch_predict(load_model(model_cfg(model), checkpoints[model]),
                         imgs)


def _meta(work: str) -> dict:
    return json.load(open(osp.join(work, 'deploy.json')))['models'][0]


def _derived(tmp_path, name: str, bases: list, *lines: str) -> str:
    """A config file ``name`` that inherits ``bases`` and sets ``lines``."""
    cfg = tmp_path / name
    cfg.write_text(f'_base_ = {bases!r}\n' + ''.join(f'{ln}\n'
                                                     for ln in lines))
    return str(cfg)


@pytest.mark.parametrize('cfg', FLOAT)
@pytest.mark.parametrize('model', ['fastscnn', 'unet'])
def test_openvino_float_matches_torch(exports, checkpoints, images, model,
                                      cfg):
    work = exports(model, cfg)
    deployed = DeployedModel(work)
    refs = _refs(checkpoints, model, images)
    assert classes_seen(refs) >= 2
    bf16 = 'bf16' in cfg
    least = LOW_PRECISION_AGREEMENT if bf16 else 99.99
    assert agreement(deployed(images), refs) >= least
    raw, raw_refs = segmenter_outputs(work, model, checkpoints[model],
                                      images)
    assert classes_seen(raw_refs) >= 3 and agreement(raw, raw_refs) >= least
    meta = _meta(work)
    assert (meta['backend'], meta['net'], meta['weights'],
            meta['precision']) == ('openvino', 'end2end.xml', 'end2end.bin',
                                   'BF16' if bf16 else 'FP32')
    assert set(os.listdir(work)) == {'deploy.json', 'pipeline.json',
                                     'detail.json', 'end2end.onnx',
                                     'end2end.xml', 'end2end.bin',
                                     'digit_classifier.onnx'}
    # fp32 weights (OpenVINO would store fp16 by default)
    assert 'element_type="f16"' not in open(osp.join(work,
                                                     'end2end.xml')).read()
    # the class ArgMax runs over the innermost axis (channels-last)
    topk = [op for op in ov.Core().read_model(
        osp.join(work, 'end2end.xml')).get_ordered_ops()
            if op.get_type_name() == 'TopK']
    assert [op.get_attributes()['axis'] for op in topk] == [3]


@pytest.mark.parametrize('cfg', INT8)
@pytest.mark.parametrize('model', ['fastscnn', 'unet'])
def test_int8_exports(exports, checkpoints, images, model, cfg):
    work = exports(model, cfg)
    deployed = DeployedModel(work)
    assert deployed.precision == 'INT8'
    refs = _refs(checkpoints, model, images)
    preds = deployed(images)
    assert agreement(preds, refs) >= LOW_PRECISION_AGREEMENT
    # the int8 segmenter rounds: close to PyTorch's, not equal
    raw, raw_refs = segmenter_outputs(work, model, checkpoints[model],
                                      images)
    assert LOW_PRECISION_AGREEMENT <= agreement(raw, raw_refs) < 100.0
    graph = onnx.load(osp.join(work, 'end2end.onnx')).graph
    ops = {n.op_type for n in graph.node}
    assert {'QuantizeLinear', 'DequantizeLinear'} <= ops
    int8_weights = [t for t in graph.initializer
                    if t.data_type == onnx.TensorProto.INT8 and t.dims
                    and len(t.dims) == 4]
    assert int8_weights  # conv weights stored as int8
    if model == 'fastscnn':  # its detail branch stays fp32 (model config)
        detail = [n for n in graph.node
                  if n.name.startswith('/backbone/detail_branch/')]
        assert detail and all(
            not i.endswith('_DequantizeLinear_Output')
            for n in detail if n.op_type == 'Conv' for i in n.input[1:])
    # a batch is one run and gives what single images give
    batch = deployed.preprocess(images[:3])
    assert deployed.run(batch)[0].shape == (3, 1, 64, 84)
    for one, many in zip([deployed([im])[0] for im in images[:3]], preds):
        np.testing.assert_array_equal(one, many)


def test_bf16_refused_without_bf16(monkeypatch, tmp_path, checkpoints,
                                   images):
    """On a CPU without bf16 the export stops before writing anything, and
    the runtime refuses a bf16 export."""
    import m2nist_core.inference.backends as backends
    import m2nist_mm.deploy.plan as plan
    work = tmp_path / 'bf16'
    if HAS_BF16:
        export(deploy_cfg('openvino-bf16_dynamic'), model_cfg('unet'),
               checkpoints['unet'], images[0], str(work),
               min_agreement=LOW_PRECISION_AGREEMENT)
        monkeypatch.setattr(backends, 'openvino_cpu_capabilities',
                            lambda: ['FP32', 'INT8'])
        with pytest.raises(RuntimeError, match='exported for bf16, but this '
                           'CPU has no bf16'):
            DeployedModel(str(work))
    monkeypatch.setattr(plan, 'openvino_cpu_capabilities',
                        lambda: ['FP32', 'INT8'])
    work = tmp_path / 'refused'
    with pytest.raises(RuntimeError, match='asks for bf16, which this CPU '
                       'does not have.*FP32, INT8'):
        export(deploy_cfg('openvino-bf16_dynamic'), model_cfg('unet'),
               checkpoints['unet'], images[0], str(work))
    assert not work.exists() or not os.listdir(work)


def test_missing_openvino(monkeypatch, tmp_path, exports, checkpoints,
                          images):
    work = exports('unet', 'openvino_dynamic')
    monkeypatch.setitem(sys.modules, 'openvino', None)
    with pytest.raises(RuntimeError, match="OpenVINO inference needs the "
                       "'openvino' package.*pip install"):
        DeployedModel(work)
    with pytest.raises(RuntimeError, match="needs the 'openvino' package"):
        export(deploy_cfg('openvino_dynamic'), model_cfg('unet'),
               checkpoints['unet'], images[0], str(tmp_path / 'ov'))
    assert not (tmp_path / 'ov' / 'deploy.json').exists()


def test_bad_calibration_images(tmp_path, checkpoints, images):
    work = tmp_path / 'int8'
    work.mkdir()
    (work / 'keep.txt').write_text('an earlier export')
    args = (deploy_cfg('onnxruntime-int8_dynamic'), model_cfg('unet'),
            checkpoints['unet'], images[0], str(work))
    rgb = np.zeros((64, 84, 3), np.uint8)
    with pytest.raises(ValueError, match='cal/rgb.png: calibration images '
                       r'must be grey uint8 \(H, W\), got uint8 '
                       r'\(64, 84, 3\)'):
        export(*args, calib_imgs=[images[1], rgb],
               calib_names=['cal/a.png', 'cal/rgb.png'])
    with pytest.raises(ValueError, match='calibration image 0: .*float32'):
        export(*args, calib_imgs=[images[1].astype(np.float32)])
    with pytest.raises(ValueError, match='0 calibration images'):
        export(*args, calib_imgs=[])
    with pytest.raises(ValueError, match='exports FP32: calibration images '
                       'are for int8 deploy configs'):
        export(deploy_cfg('openvino_dynamic'), model_cfg('unet'),
               checkpoints['unet'], images[0], str(work),
               calib_imgs=images)
    assert os.listdir(work) == ['keep.txt']  # nothing half-written


def test_static_int8_needs_fitting_calibration(tmp_path, checkpoints,
                                               images):
    """A static int8 graph takes one size: calibration images must pad to
    it."""
    cfg = _derived(
        tmp_path, 'segmentation_onnxruntime-int8_static-64x84.py',
        [deploy_cfg('onnxruntime_static-64x84'),
         osp.join(osp.dirname(deploy_cfg('x')), '_base_',
                  'int8_quantization.py')],
        'onnx_config = dict(opset_version=13)',
        "backend_config = dict(precision='INT8', "
        'quantization={{_base_.quantization}})')
    big = np.zeros((100, 130), np.uint8)
    with pytest.raises(ValueError, match='big.png: a 100x130 image does '
                       'not fit the static model, exported for 64x84'):
        export(cfg, model_cfg('unet'), checkpoints['unet'], images[0],
               str(tmp_path / 'out'), calib_imgs=[images[1], big],
               calib_names=['a.png', 'big.png'])
    result = export(cfg, model_cfg('unet'), checkpoints['unet'],
                    images[0], str(tmp_path / 'out'), calib_imgs=images,
                    min_agreement=LOW_PRECISION_AGREEMENT)
    assert (result['precision'], result['calib_images']) == ('INT8', 8)
    assert DeployedModel(str(tmp_path / 'out')).input_shape == [1, 1, 64, 84]


def _cfg(tmp_path, **kwargs) -> Config:
    """A deploy config file ``my_deploy.py`` (ONNX Runtime) with ``kwargs``
    as its top-level settings."""
    kwargs.setdefault('backend_config', {})
    kwargs['backend_config'].setdefault('type', 'onnxruntime')
    path = tmp_path / 'my_deploy.py'
    path.write_text(''.join(f'{k} = {v!r}\n' for k, v in kwargs.items()))
    return Config.fromfile(str(path))


def test_quantization_settings_errors(tmp_path):
    with pytest.raises(ValueError, match="my_deploy.py: backend_config."
                       "precision='INT8' and backend_config.quantization go "
                       'together'):
        quantization_settings(_cfg(tmp_path, backend_config=dict(
            precision='INT8')))
    with pytest.raises(ValueError, match="method 'Best' is not one of"):
        quantization_settings(_cfg(tmp_path, backend_config=dict(
            precision='INT8', quantization=dict(method='Best'))))
    with pytest.raises(ValueError, match=r"unknown backend_config.quant"
                       r"ization keys \['bits'\]"):
        quantization_settings(_cfg(tmp_path, backend_config=dict(
            precision='INT8', quantization=dict(bits=4))))
    assert quantization_settings(_cfg(tmp_path)) is None
    with pytest.raises(ValueError, match="calib_config.dataset must be "
                       "'train', 'val' or 'test', not 'extra'"):
        calibration_settings(_cfg(tmp_path,
                                  calib_config=dict(dataset='extra')))
    with pytest.raises(ValueError, match='num_images must be a positive '
                       'integer, not 0'):
        calibration_settings(_cfg(tmp_path, calib_config=dict(num_images=0)))


def test_unsupported_precision(tmp_path, checkpoints, images):
    cfg = _derived(tmp_path, 'segmentation_openvino-fp16_dynamic.py',
                   [deploy_cfg('openvino_dynamic')],
                   "backend_config = dict(precision='FP16')")
    with pytest.raises(ValueError, match="openvino exports FP32, BF16, INT8,"
                       " not 'FP16'"):
        export(cfg, model_cfg('unet'), checkpoints['unet'], images[0],
               str(tmp_path / 'out'))


def test_keep_float_must_name_a_module(tmp_path, checkpoints, images):
    cfg = _derived(tmp_path, 'unet_keep.py', [model_cfg('unet')],
                   "int8_keep_float = ['backbone.detail_branch']")
    with pytest.raises(ValueError, match="int8_keep_float names "
                       "'backbone.detail_branch', which no layer"):
        export(deploy_cfg('onnxruntime-int8_dynamic'), cfg,
               checkpoints['unet'], images[0], str(tmp_path / 'out'),
               calib_imgs=images)


def test_calibration_images_from_the_model_config(tiny_root):
    cfg = Config.fromfile(model_cfg('fastscnn'))
    cfg.train_dataloader.dataset.data_root = tiny_root
    cfg.train_dataloader.dataset.split = 'all'
    imgs, names = calibration_images(cfg, dict(dataset='train',
                                               num_images=4))
    assert len(imgs) == 4 and all(im.shape == (64, 84) and
                                  im.dtype == np.uint8 for im in imgs)
    assert names[0].startswith(tiny_root) and names[-1].endswith('image 9')
    cfg.pop('val_dataloader')
    with pytest.raises(ValueError, match='has no val_dataloader to '
                       'calibrate on'):
        calibration_images(cfg, dict(dataset='val', num_images=4))


def test_calibration_images_of_concatenated_sets(tiny_root, tmp_path):
    """Spread over both training sets of a ConcatDataset."""
    cfg = Config.fromfile(model_cfg('fastscnn'))
    real = dict(cfg.train_dataloader.dataset, data_root=tiny_root,
                split='all')
    cfg.train_dataloader.dataset = dict(type='ConcatDataset',
                                        datasets=[real, dict(real)])
    imgs, names = calibration_images(cfg, dict(dataset='train',
                                               num_images=4))
    assert len(imgs) == 4 and all(im.shape == (64, 84) and
                                  im.dtype == np.uint8 for im in imgs)
    assert names[0] == 'ConcatDataset (train split) image 0'
    assert names[-1].endswith('image 19')  # the second set's last


def _ncnn_int8_cfg(tmp_path, layer_agreement: float) -> str:
    """The ncnn int8 config with another sensitivity threshold (the
    untrained test models change pixels at the slightest rounding)."""
    return _derived(tmp_path, f'segmentation_ncnn-int8-{layer_agreement}.py',
                    [deploy_cfg('ncnn-int8_static-64x84')],
                    'backend_config = dict(quantization=dict('
                    f'layer_agreement={layer_agreement}))')


@pytest.mark.parametrize('model', ['fastscnn', 'unet'])
def test_ncnn_int8(tmp_path, exports, checkpoints, images, model):
    """ncnn's own int8 format: quantised convolutions say 8=2 (8=1
    depthwise) and hold int8 weights; those reading the image stay fp32."""
    from m2nist_mm.deploy.ncnn_int8 import (CONVS, INT8_TAG, image_blobs,
                                            read_param)
    work = str(tmp_path / 'int8')
    # every candidate layer of UNet; FastSCNN's untrained head does not
    # survive int8, the sensitivity test keeps it fp32
    threshold = 99 if model == 'fastscnn' else 0
    export(_ncnn_int8_cfg(tmp_path, threshold), model_cfg(model),
           checkpoints[model],
           images[0], work, images[1:4], calib_imgs=images,
           min_agreement=LOW_PRECISION_AGREEMENT)
    deployed = DeployedModel(work)
    assert deployed.precision == 'INT8'
    refs = _refs(checkpoints, model, images)
    assert agreement(deployed(images), refs) >= LOW_PRECISION_AGREEMENT
    _, layers = read_param(osp.join(work, 'end2end.param'))
    convs = [ly for ly in layers if ly.type in CONVS]
    int8 = [ly for ly in convs if '8' in ly.params]
    assert all(
        ly.params['8'] == ('1' if ly.type == 'ConvolutionDepthWise' else '2')
        for ly in int8)
    image = image_blobs(layers)
    assert int8 and not any(ly.bottoms[0] in image for ly in int8)
    data = open(osp.join(work, 'end2end.bin'), 'rb').read()
    assert INT8_TAG.to_bytes(4, 'little') in data
    if model == 'unet':  # all but the first convolution: a third the size
        assert len(int8) == len(convs) - 1
        fp32 = DeployedModel(exports(model, 'ncnn_static-64x84'))
        assert sum(map(osp.getsize, deployed.files)) < \
            0.4 * sum(map(osp.getsize, fp32.files))


def test_ncnn_int8_with_no_layer_to_quantise(tmp_path, checkpoints, images):
    work = tmp_path / 'int8'
    with pytest.raises(RuntimeError, match='changes the class of more than '
                       '0 % of the calibration pixels, so none is quantised'):
        export(_ncnn_int8_cfg(tmp_path, 100), model_cfg('unet'),
               checkpoints['unet'], images[0], str(work),
               calib_imgs=images)
    assert not os.listdir(work)  # nothing half-written


def test_ncnn_int8_refuses_unknown_weights(tmp_path, exports):
    from m2nist_mm.deploy.ncnn_int8 import read_param, read_weights
    work = exports('unet', 'ncnn_static-64x84')
    counts, layers = read_param(osp.join(work, 'end2end.param'))
    layers[1].type = 'InnerProduct'
    with pytest.raises(ValueError, match=f'layer {layers[1].name} of type '
                       'InnerProduct is not quantised here'):
        read_weights(osp.join(work, 'end2end.bin'), layers)
    bad = tmp_path / 'x.param'
    bad.write_text('not ncnn\n')
    with pytest.raises(ValueError, match='x.param: not an ncnn param file'):
        read_param(str(bad))


def test_quantization_format_must_fit_the_backend(tmp_path, checkpoints,
                                                  images):
    cfg = _derived(tmp_path, 'ort_ncnn_format.py',
                   [deploy_cfg('onnxruntime-int8_dynamic')],
                   "backend_config = dict(quantization=dict(format='ncnn'))")
    with pytest.raises(ValueError, match="format 'ncnn' is ncnn's own int8 "
                       'scheme, for the ncnn backend only'):
        export(cfg, model_cfg('unet'), checkpoints['unet'], images[0],
               str(tmp_path / 'out'), calib_imgs=images)
    cfg = _derived(tmp_path, 'ncnn_uint8.py',
                   [deploy_cfg('ncnn-int8_static-64x84')],
                   'backend_config = dict(quantization=dict('
                   "activation_type='QUInt8'))")
    with pytest.raises(ValueError, match='ncnn int8 quantises weights per '
                       'channel and activations by their max range'):
        export(cfg, model_cfg('unet'), checkpoints['unet'], images[0],
               str(tmp_path / 'out'), calib_imgs=images)
