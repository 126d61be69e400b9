"""benchmarks.scale: a tiny run (3 scales, 3 images, a given model)."""
import json

import pytest

from benchmarks import scale as bench
from ..conftest import MNIST_SUBSET, varied_checkpoint

pytestmark = pytest.mark.slow  # trains or exports models, runs tools


def test_tiny_run(tmp_path):
    mnist = MNIST_SUBSET
    ckpt = varied_checkpoint('fastscnn', str(tmp_path / 'f.pth'))
    docs = tmp_path / 'docs'
    bench.main([
        '--models', 'fastscnn', '--scales', '0.5', '1', '2', '--images', '3',
        '--mnist', mnist, '--work-root', str(tmp_path / 'work'), '--docs',
        str(docs), '--checkpoint', f'fastscnn.scale1={ckpt}'
    ])
    figures = {k: v['value'] for k, v in json.loads(
        (docs / 'benchmarks.json').read_text())['figures'].items()}
    assert set(bench.VARIANTS) == {'baseline', 'select'}  # what ships
    for variant in bench.VARIANTS:
        miou = figures[f'scale.fastscnn.{variant}.digit_miou']
        assert list(miou) == ['0.500', '1.000', '2.000']
        assert all(0 <= v <= 100 for v in miou.values())
        ratio = figures[f'scale.fastscnn.{variant}.worst_ratio_half_to_4']
        if miou['1.000']:
            assert ratio == pytest.approx(min(v / miou['1.000']
                                              for v in miou.values()),
                                          abs=1e-4)
        else:  # an untrained model may find no digit at scale 1
            assert ratio is None
        wide = figures[f'scale.fastscnn.{variant}.worst_ratio_half_to_8']
        assert wide == ratio  # no scale above 4 in this run
        assert set(figures[f'scale.fastscnn.{variant}.ms_per_image']) == set(
            miou)
    assert not [k for k in figures if k.startswith('scale.fastscnn.') and
                k.split('.')[2] not in bench.VARIANTS]
    assert figures['scale.fastscnn.baseline.inference'] == 'single'
    assert figures['scale.fastscnn.select.inference'] == 'select'
    run = json.loads((docs / 'benchmarks.json').read_text())['runs'][
        'scale.fastscnn']['results']
    assert run['variants']['baseline']['config'] == (
        'configs/m2nist_fastscnn.py')
    assert run['variants']['select']['config'] == (
        'configs/m2nist_fastscnn_scale-select.py')
    text = (docs / 'benchmarks.md').read_text()
    assert '## Scale generalisation: fastscnn' in text
    assert '| 2.000 | 2 |' in text  # fewer images above scale 1
    assert (docs / 'scale_fastscnn.png').stat().st_size > 1000


@pytest.mark.parametrize('argv,match', [
    (['--checkpoint', 'fastscnn=x.pth'], 'MODEL.scale1=PATH'),
    (['--checkpoint', 'fastscnn.mixscale=x.pth'], 'MODEL.scale1=PATH'),
    (['--factors', '2', '0.5'], 'unrecognized arguments'),
    (['--scales', '0.5', '2'], 'must include 1'),
])
def test_bad_arguments(argv, match, capsys):
    with pytest.raises(SystemExit):
        bench.parse_args(argv)
    assert match in capsys.readouterr().err


def test_missing_checkpoint_file(tmp_path):
    args = bench.parse_args(['--checkpoint', 'fastscnn.scale1=nowhere.pth'])
    with pytest.raises(FileNotFoundError, match='nowhere.pth'):
        bench.checkpoint('fastscnn', args)
