"""benchmarks.record (the writer) / benchmarks.report (the renderer):
figures with provenance, and the Markdown generated from them."""
import json

import pytest

from benchmarks import datagen, record, report

SOURCE = dict(command='python -m benchmarks.datagen', commit='abc123',
              date='2026-01-01 00:00 UTC', machine='a CPU, 2 cores')


def rows(seconds: float) -> dict:
    return dict(benchmark='datagen', results=dict(rows=[dict(
        images=5000, seconds=seconds, peak_mib=500.0,
        command='python tools/generate_m2nist.py OUT')]))


def test_save_replaces_only_what_was_measured(tmp_path):
    record.save({'other': rows(1.0)}, {'other.x': 1, 'otherwise.y': 2},
                'cmd a', ['other', 'otherwise'], docs=str(tmp_path),
                source=dict(SOURCE, command='cmd a'))
    data = record.save({'datagen': rows(7.5)},
                       {'datagen.m2nist_5000_seconds': 7.5}, 'cmd b',
                       ['datagen'], docs=str(tmp_path),
                       source=dict(SOURCE, command='cmd b'))
    fig = data['figures']['datagen.m2nist_5000_seconds']
    assert fig == dict(value=7.5, run='datagen', **dict(SOURCE,
                                                        command='cmd b'))
    assert data['figures']['other.x']['command'] == 'cmd a'
    assert data['figures']['otherwise.y']['run'] == 'other'  # its only run
    assert set(data['runs']) == {'datagen', 'other'}
    # a new run of the same benchmark drops its old figures ('other' is
    # not under 'otherwise')
    data = record.save({'other': rows(2.0)}, {}, 'cmd c', ['other'],
                       docs=str(tmp_path), source=SOURCE)
    assert 'other.x' not in data['figures']
    assert 'otherwise.y' in data['figures']
    assert json.loads((tmp_path / 'benchmarks.json').read_text()) == data


def test_markdown_is_generated_from_the_json(tmp_path):
    data = record.save({'datagen': rows(7.5)},
                       {'datagen.m2nist_5000_seconds': 7.5}, 'x',
                       ['datagen'], docs=str(tmp_path), source=SOURCE)
    text = (tmp_path / 'benchmarks.md').read_text()
    assert text == report.render_markdown(data)
    assert '## Data generation' in text
    assert 'Command: `python -m benchmarks.datagen`' in text
    assert 'Commit: `abc123`, 2026-01-01 00:00 UTC' in text
    assert '| 5000 | 7.5 | 500 |' in text
    (tmp_path / 'benchmarks.md').write_text('edited by hand')
    report.main(['--docs', str(tmp_path)])
    assert (tmp_path / 'benchmarks.md').read_text() == text


def test_old_or_foreign_json_is_refused(tmp_path):
    (tmp_path / 'benchmarks.json').write_text('{"seg.x": 1}')
    with pytest.raises(ValueError, match='benchmarks.json: expected'):
        report.load(str(tmp_path))


def test_retire_drops_runs_of_removed_benchmarks(tmp_path):
    """A run whose benchmark no longer exists stops the renderer, which
    names the command that retires it; retiring rewrites both files."""
    record.save({'datagen': rows(7.5)},
                {'datagen.m2nist_5000_seconds': 7.5}, 'x', ['datagen'],
                docs=str(tmp_path), source=SOURCE)
    path = tmp_path / 'benchmarks.json'
    data = json.loads(path.read_text())
    data['runs']['gone'] = dict(data['runs']['datagen'], benchmark='gone')
    data['figures']['gone.x'] = dict(data['figures'][
        'datagen.m2nist_5000_seconds'], run='gone')
    path.write_text(json.dumps(data))
    before = (tmp_path / 'benchmarks.md').read_text()
    with pytest.raises(ValueError, match=r"\['gone'\] were measured by "
                       'benchmarks that no longer exist: python -m '
                       'benchmarks.record --retire gone'):
        report.main(['--docs', str(tmp_path)])
    assert (tmp_path / 'benchmarks.md').read_text() == before
    record.main(['--retire', 'gone', '--docs', str(tmp_path)])
    data = report.load(str(tmp_path))
    assert set(data['runs']) == {'datagen'}
    assert set(data['figures']) == {'datagen.m2nist_5000_seconds'}
    assert (tmp_path / 'benchmarks.md').read_text() == \
        report.render_markdown(data)


def test_retire_drops_an_entry_inside_a_run(tmp_path):
    run = rows(7.5)
    run['results']['variants'] = dict(kept=1, lost=2)
    data = record.save({'datagen': run}, {}, 'x', ['datagen'],
                       docs=str(tmp_path), source=SOURCE)
    record.main(['--retire', 'datagen.variants.lost', 'datagen.nothing.x',
                 '--docs', str(tmp_path)])
    data = report.load(str(tmp_path))
    assert data['runs']['datagen']['results']['variants'] == dict(kept=1)
    assert data['runs']['datagen']['results']['rows'] == run['results'][
        'rows']


def test_provenance_names_this_checkout_and_machine():
    prov = record.provenance(datagen.__name__)
    assert set(prov) == {'command', 'commit', 'date', 'machine'}
    assert prov['date'].endswith('UTC')
    assert 'cores' in prov['machine'] and 'Python' in prov['machine']
    assert record.command('seg', ['--seeds', '0', '1']) == \
        'python -m benchmarks.seg --seeds 0 1'
