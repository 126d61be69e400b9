"""tools/mmcv_wheel.py: which mmcv wheels install.sh caches and installs."""
import json
import os
import sys
import sysconfig
import zipfile

import pytest

from ..conftest import load_tool

EXT = sysconfig.get_config_var('EXT_SUFFIX')
PY = f'cp{sys.version_info.major}{sys.version_info.minor}'


@pytest.fixture(scope='module')
def mw():
    return load_tool('mmcv_wheel')


def make_wheel(folder, tag=None, members=None):
    """A wheel-shaped zip; by default one with ops for this Python."""
    tag = tag or f'{PY}-{PY}-linux_x86_64'
    path = folder / f'mmcv-2.1.0-{tag}.whl'
    members = [f'mmcv/_ext{EXT}', 'mmcv/__init__.py'] if members is None \
        else members
    with zipfile.ZipFile(path, 'w') as zf:
        for m in members:
            zf.writestr(m, b'x' * 100)
    return str(path)


def test_a_wheel_with_ops_is_stored_and_found(mw, tmp_path):
    cache = mw.cache_dir(str(tmp_path / 'cache'))
    torch = mw.torch_version()
    assert os.path.basename(cache) == f'{mw.PYTHON_TAG}-torch{torch}'
    stored = mw.store(make_wheel(tmp_path), cache)
    record = json.load(open(stored + '.json'))
    assert record['python'] == mw.PYTHON_TAG
    assert record['torch'] == mw.torch_version()
    assert record['sha256'] == mw.sha256(stored)
    assert mw.find(cache) == stored
    assert sorted(os.listdir(cache)) == sorted(
        [os.path.basename(stored), os.path.basename(stored) + '.json'])


@pytest.mark.parametrize('tag,members,match', [
    ('py2.py3-none-any', ['mmcv/__init__.py', 'mmcv/ops/__init__.py'],
     'pure-Python build'),
    ('cp310-cp310-linux_x86_64',
     ['mmcv/_ext.cpython-310-x86_64-linux-gnu.so'], 'another Python'),
])
def test_unusable_wheels_are_never_cached(mw, tmp_path, tag, members, match):
    wheel = make_wheel(tmp_path, tag, members)
    cache = str(tmp_path / 'cache')
    with pytest.raises(mw.WheelError, match=match) as e:
        mw.store(wheel, cache)
    assert wheel in str(e.value)
    assert not os.path.exists(cache) or not os.listdir(cache)
    assert mw.main(['check', wheel]) == 1


def test_a_corrupt_zip_is_refused(mw, tmp_path, capsys):
    wheel = tmp_path / 'mmcv-2.1.0-cp311-cp311-linux_x86_64.whl'
    wheel.write_bytes(b'PK\x03\x04 truncated')
    with pytest.raises(mw.WheelError, match='corrupt wheel'):
        mw.check_contents(str(wheel))
    assert mw.main(['store', str(wheel), str(tmp_path / 'c')]) == 1
    assert 'corrupt wheel' in capsys.readouterr().err


def edit_record(wheel, **changes):
    with open(wheel + '.json') as f:
        record = json.load(f)
    record.update(changes)
    with open(wheel + '.json', 'w') as f:
        json.dump(record, f)


@pytest.mark.parametrize('damage,match', [
    (lambda w: edit_record(w, torch='2.12.0'), 'torch 2.12.0'),
    (lambda w: edit_record(w, python='cp310'), 'Python cp310'),
    (lambda w: open(w, 'r+b').write(b'garbage'), 'corrupt wheel'),
    (lambda w: os.remove(w + '.json'), 'build record'),
])
def test_unfit_cached_wheels_are_deleted(mw, tmp_path, capsys, damage,
                                         match):
    """Another torch or Python, a damaged file or a missing record: the
    cache entry is rejected and removed, so install.sh rebuilds."""
    cache = mw.cache_dir(str(tmp_path / 'cache'))
    stored = mw.store(make_wheel(tmp_path), cache)
    damage(stored)
    with pytest.raises(mw.WheelError, match=match):
        mw.verify_cached(stored)
    assert mw.find(cache) is None
    assert match in capsys.readouterr().err
    assert os.listdir(cache) == []
    assert mw.main(['find', cache]) == 1


def test_cli(mw, tmp_path, capsys):
    cache = str(tmp_path / 'c')
    assert mw.main(['cache-dir', str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == mw.cache_dir(str(tmp_path))
    assert mw.main(['store', make_wheel(tmp_path), cache]) == 0
    stored = capsys.readouterr().out.strip()
    assert mw.main(['find', cache]) == 0
    assert capsys.readouterr().out.strip() == stored
