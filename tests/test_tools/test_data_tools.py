"""tools/generate_m2nist.py and tools/prepare_data.py."""
import os
import os.path as osp
import shutil
import subprocess
import sys

import numpy as np
import pytest

from ..conftest import MNIST_SUBSET, REPO, full_data, load_tool
from ..test_core.test_datagen.test_sources import (csv_row, write_csv,
                                                   write_mnist)


@pytest.fixture(scope='module')
def generate_m2nist():
    return load_tool('generate_m2nist')


@pytest.fixture(scope='module')
def prepare_data():
    return load_tool('prepare_data')


@pytest.fixture
def tiny_csv(tmp_path):
    rng = np.random.RandomState(0)
    return write_csv(tmp_path / 'train.csv', [
        ','.join(map(str, [k % 10] + rng.randint(0, 256, 784).tolist()))
        for k in range(60)
    ])


def test_generate_from_csv(generate_m2nist, tmp_path, tiny_csv, capsys):
    out = str(tmp_path / 'out')
    assert generate_m2nist.main([out, '--kaggle-csv', tiny_csv,
                                 '--num-images', '30', '--no-progress']) == 0
    assert np.load(osp.join(out, 'combined.npy')).shape == (30, 64, 84)
    assert '30 images' in capsys.readouterr().out


def test_generate_mnist_extended_options(generate_m2nist, tmp_path):
    write_mnist(tmp_path, n=40, split='train')
    write_mnist(tmp_path, n=20, split='test')
    out = str(tmp_path / 'ext')
    assert generate_m2nist.main([
        out, '--mnist', str(tmp_path), '--splits', 'train=8', 'test=4',
        '--img-shape', '60', '60', '--min-digits', '1', '--max-digits', '4',
        '--num-classes', '5', '--placement', 'random', '--max-overlap', '0.2',
        '--overlap-rule', 'mnist_extended', '--overlapping-labels',
        '--whole-box', '--layout', 'kaggle', '--no-progress'
    ]) == 0
    segs = np.load(osp.join(out, 'segmented.npy'))
    assert segs.shape == (12, 60, 60, 11)
    assert not segs[..., 5:10].any()  # only classes 0-4 drawn
    # test images draw from t10k only
    import csv
    with open(osp.join(out, 'digits.csv')) as f:
        table = list(csv.DictReader(f))
    assert {r['source'] for r in table if int(r['image']) >= 8} == {
        'mnist-t10k'}
    assert {r['source'] for r in table if int(r['image']) < 8} == {
        'mnist-train'}


@pytest.mark.parametrize('extra,match', [
    (['--splits', 'dev=3'], 'is not SPLIT=COUNT'),
    (['--placement', 'grid'], 'placement must be'),
    (['--max-overlap', '0.1'], "needs placement='random'"),
    (['--img-shape', '28', '28', '--placement', 'random', '--max-overlap',
      '0', '--max-digits', '2'], 'cannot lie without overlap'),
])
def test_generate_errors(generate_m2nist, tmp_path, extra, match, capsys):
    write_mnist(tmp_path, n=10)
    assert generate_m2nist.main([str(tmp_path / 'o'), '--mnist',
                                 str(tmp_path), '--splits', 'train=2',
                                 '--no-progress'] + extra) == 1
    assert match in capsys.readouterr().err


def test_generate_corrupt_source(generate_m2nist, tmp_path, capsys):
    path = write_csv(tmp_path / 'train.csv', [csv_row(1), csv_row(2, n=5)])
    assert generate_m2nist.main([str(tmp_path / 'o'), '--kaggle-csv', path,
                                 '--no-progress']) == 1
    err = capsys.readouterr().err
    assert path in err and 'not a table of integers' in err


def test_prepare_links_a_kaggle_download(prepare_data, tmp_path, tiny_root):
    out = str(tmp_path / 'data' / 'm2nist')
    assert prepare_data.main(['--out', out, '--m2nist', tiny_root,
                              '--mnist-dir', MNIST_SUBSET]) == 0
    assert osp.realpath(out) == osp.realpath(tiny_root)
    # run again: kept
    assert prepare_data.main(['--out', out, '--m2nist', tiny_root,
                              '--mnist-dir', MNIST_SUBSET]) == 0


def test_prepare_links_mnist_found_on_disk(prepare_data, tmp_path, tiny_root,
                                           monkeypatch, capsys):
    """MNIST for the extra-digits track: linked from $M2NIST_MM_DATA."""
    shutil.copytree(MNIST_SUBSET, tmp_path / 'found' / 'mnist')
    monkeypatch.setenv('M2NIST_MM_DATA', str(tmp_path / 'found'))
    mnist = str(tmp_path / 'data' / 'mnist')
    assert prepare_data.main(['--out', str(tmp_path / 'data' / 'm2nist'),
                              '--m2nist', tiny_root, '--mnist-dir',
                              mnist]) == 0
    assert osp.realpath(mnist) == str(tmp_path / 'found' / 'mnist')
    assert 'MNIST found on disk' in capsys.readouterr().out
    assert prepare_data.is_mnist(mnist)


@pytest.mark.full_data
def test_prepare_from_csv_and_mnist(prepare_data, tmp_path, tiny_csv):
    out = str(tmp_path / 'm2nist')
    assert prepare_data.main(['--out', out, '--kaggle-csv', tiny_csv,
                              '--mnist-dir', MNIST_SUBSET]) == 0
    assert np.load(osp.join(out, 'combined.npy')).shape == (5000, 64, 84)
    # regenerates over the earlier output
    mnist = full_data('mnist')
    assert prepare_data.main(['--out', out, '--mnist', mnist,
                              '--mnist-dir', mnist]) == 0
    assert prepare_data.is_m2nist(out)


@pytest.mark.full_data
def test_prepare_downloads_from_a_mirror(prepare_data, tmp_path):
    """A file:// mirror stands in for the public ones (no network in
    tests); a mirror with a wrong file fails on its md5."""
    mirror = tmp_path / 'mirror'
    shutil.copytree(full_data('mnist'), mirror)
    out, mnist = str(tmp_path / 'm2nist'), str(tmp_path / 'mnist')
    assert prepare_data.main([
        '--out', out, '--download', '--mnist-dir', mnist, '--mirrors',
        'http://127.0.0.1:9/', mirror.as_uri() + '/'
    ]) == 0
    assert sorted(os.listdir(mnist)) == sorted(
        f for f in os.listdir(mirror))
    assert prepare_data.is_m2nist(out)
    (mirror / 't10k-labels-idx1-ubyte.gz').write_bytes(b'not mnist')
    os.remove(osp.join(mnist, 't10k-labels-idx1-ubyte.gz'))
    with pytest.raises(RuntimeError, match='md5 .* expected ec29112d'):
        from m2nist_core.datagen.download import download_mnist
        download_mnist(mnist, [mirror.as_uri() + '/'])
    assert not os.listdir(mnist).count('t10k-labels-idx1-ubyte.gz.part')


def test_prepare_offline_says_where_the_files_go(prepare_data, tmp_path,
                                                 monkeypatch, capsys):
    """No mirror answers and nothing is on disk: the error names the folder
    for the MNIST files and the options that point at existing data."""
    monkeypatch.delenv('M2NIST_MM_DATA', raising=False)
    mnist = str(tmp_path / 'mnist')
    assert prepare_data.main([
        '--out', str(tmp_path / 'm2nist'), '--mnist-dir', mnist,
        '--mirrors', 'http://127.0.0.1:9/'
    ]) == 1
    err = capsys.readouterr().err
    assert 'http://127.0.0.1:9/train-images-idx3-ubyte.gz' in err
    assert 'put the four MNIST files' in err and f'in {mnist}' in err
    for option in ('--mnist DIR', '--m2nist DIR', '--kaggle-csv FILE',
                   'M2NIST_MM_DATA'):
        assert option in err
    # no empty folder left behind to be refused as "not MNIST" next time
    assert not osp.exists(mnist)


def test_prepare_refuses_a_foreign_folder(prepare_data, tmp_path, tiny_root,
                                          capsys):
    out = tmp_path / 'm2nist'
    out.mkdir()
    (out / 'notes.txt').write_text('mine')
    assert prepare_data.main(['--out', str(out), '--m2nist', tiny_root,
                              '--mnist-dir', MNIST_SUBSET]) == 1
    assert 'does not read as M2NIST' in capsys.readouterr().err


@pytest.mark.slow
def test_cli_runs(tmp_path, tiny_csv):
    """The tool as a user runs it, with its progress bar."""
    proc = subprocess.run(
        [sys.executable, 'tools/generate_m2nist.py', str(tmp_path / 'o'),
         '--kaggle-csv', tiny_csv, '--num-images', '200'],
        cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert '200/200' in proc.stdout


@pytest.mark.parametrize('config,index_range', [
    ('m2nist_fastscnn', '(0,5)'), ('m2nist_det_rtmdet_tiny', '(2,8)')])
def test_browse_dataset(tmp_path, tiny_root, config, index_range, capsys):
    import cv2
    browse = load_tool('browse_dataset')
    out = str(tmp_path / 'grid.png')
    assert browse.main([
        osp.join(REPO, 'configs', f'{config}.py'), '--num', '5', '--cols',
        '3', '--scale', '2', '--out', out, '--cfg-options',
        f'val_dataloader.dataset.data_root={tiny_root}',
        f'val_dataloader.dataset.index_range={index_range}'
    ]) == 0
    img = cv2.imread(out)
    assert img.shape == (2 * (128 + 2), 3 * (168 + 2), 3)
    # colour: masks tinted or boxes drawn
    assert (img[..., 0] != img[..., 2]).any()
    assert browse.main([
        osp.join(REPO, 'configs', f'{config}.py'), '--out', out,
        '--cfg-options', f'val_dataloader.dataset.data_root={tmp_path}/none'
    ]) == 1
    assert 'prepare_data.py' in capsys.readouterr().err
