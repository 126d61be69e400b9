"""m2nist_core.inference.DeployedModel on broken export dirs: clear errors."""
import json
import os.path as osp
import shutil

import pytest

from m2nist_core import DataFileError
from m2nist_core.inference import DeployedModel

pytestmark = pytest.mark.slow  # trains or exports models, runs tools


def _copy(src: str, dst) -> str:
    return shutil.copytree(src, str(dst / 'export'))


def test_missing_meta(tmp_path, exports):
    work = _copy(exports('unet', 'onnxruntime_static-64x84'), tmp_path)
    (tmp_path / 'export' / 'deploy.json').unlink()
    with pytest.raises(FileNotFoundError, match='deploy.json not found.*'
                       'tools/deploy.py'):
        DeployedModel(work)


def test_corrupt_meta(tmp_path, exports):
    work = _copy(exports('unet', 'onnxruntime_static-64x84'), tmp_path)
    (tmp_path / 'export' / 'pipeline.json').write_text('{"pipeline": ')
    with pytest.raises(DataFileError, match='pipeline.json: not valid JSON'):
        DeployedModel(work)
    (tmp_path / 'export' / 'pipeline.json').write_text('{}')
    with pytest.raises(DataFileError, match='lack'):
        DeployedModel(work)


def test_unknown_backend(tmp_path, exports):
    work = _copy(exports('unet', 'onnxruntime_static-64x84'), tmp_path)
    path = osp.join(work, 'deploy.json')
    meta = json.load(open(path))
    meta['models'][0]['backend'] = 'tvm'
    json.dump(meta, open(path, 'w'))
    with pytest.raises(DataFileError, match="backend 'tvm' is not"):
        DeployedModel(work)


def test_corrupt_onnx(tmp_path, exports):
    work = _copy(exports('unet', 'onnxruntime_static-64x84'), tmp_path)
    onnx_file = tmp_path / 'export' / 'end2end.onnx'
    onnx_file.write_bytes(onnx_file.read_bytes()[:1000])
    with pytest.raises(DataFileError, match='end2end.onnx: ONNX Runtime '
                       'cannot load it'):
        DeployedModel(work)


def test_missing_onnx(tmp_path, exports):
    work = _copy(exports('unet', 'onnxruntime_static-64x84'), tmp_path)
    (tmp_path / 'export' / 'end2end.onnx').unlink()
    with pytest.raises(FileNotFoundError, match='end2end.onnx not found '
                       r'\(named in .*deploy.json\)'):
        DeployedModel(work)


def test_missing_and_corrupt_ncnn_files(tmp_path, exports):
    work = _copy(exports('fastscnn', 'ncnn_static-64x84'), tmp_path)
    weights = tmp_path / 'export' / 'end2end.bin'
    data = weights.read_bytes()
    weights.write_bytes(data[:len(data) // 2])
    with pytest.raises(DataFileError, match='end2end.bin: ncnn cannot load'):
        DeployedModel(work)
    weights.unlink()
    with pytest.raises(FileNotFoundError, match='end2end.bin not found'):
        DeployedModel(work)
    weights.write_bytes(data)
    (tmp_path / 'export' / 'end2end.param').write_text('garbage\n')
    with pytest.raises(DataFileError, match='end2end.param: ncnn cannot'):
        DeployedModel(work)


def test_missing_work_dir(tmp_path):
    with pytest.raises(FileNotFoundError, match='deploy work dir not found'):
        DeployedModel(str(tmp_path / 'nothing'))
