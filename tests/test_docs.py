"""docs/benchmarks.json and .md as committed: every figure with its
provenance, the Markdown generated from the JSON, the README's results
among the figures."""
import json
import os.path as osp
import re

import pytest

from benchmarks.report import BEGIN, END, render_markdown, results_table
from .conftest import REPO

PROVENANCE = {'value', 'run', 'command', 'commit', 'date', 'machine'}


def committed() -> dict:
    with open(osp.join(REPO, 'docs', 'benchmarks.json')) as f:
        return json.load(f)


def numbers(text: str) -> list:
    """Figures written with decimals or thousands separators."""
    return re.findall(r'\d{1,3}(?:,\d{3})+|\d+\.\d+', text)


def test_every_figure_has_its_provenance():
    data = committed()
    for key, fig in data['figures'].items():
        assert set(fig) == PROVENANCE, key
        assert fig['command'].startswith('python -m benchmarks.'), key
        assert 'dirty' not in fig['commit'], key
        assert fig['run'] is None or fig['run'] in data['runs'], key


def test_benchmarks_md_is_generated_from_the_json():
    with open(osp.join(REPO, 'docs', 'benchmarks.md')) as f:
        assert f.read() == render_markdown(committed())


def test_readme_results_are_generated_from_the_json():
    with open(osp.join(REPO, 'README.md')) as f:
        text = f.read()
    table = text.split(BEGIN + '\n')[1].split('\n' + END)[0]
    assert table == results_table(committed())
    assert table.count('\n') >= 2  # a header, its rule and a row at least


def flat_values() -> list:
    """Every number among the figures (lists and dicts opened; numeric
    dict keys such as the scales count too)."""
    out, todo = [], [f['value'] for f in committed()['figures'].values()]
    while todo:
        v = todo.pop()
        if isinstance(v, dict):
            todo += list(v.values())
            out += [float(k) for k in v if re.fullmatch(r'\d+\.\d+', k)]
        elif isinstance(v, list):
            todo += v
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out.append(v)
    return out


@pytest.mark.parametrize('doc,section', [('README.md', 'Results'),
                                         ('docs/scale.md', 'Measured')])
def test_doc_figures_are_in_benchmarks_json(doc, section):
    with open(osp.join(REPO, doc)) as f:
        text = f.read()
    results = text.split(f'\n## {section}\n')[1].split('\n## ')[0]
    results = results.replace('19.9 px', '')  # a constant, not a result
    values = flat_values()
    for text in numbers(results):
        digits = len(text.split('.')[1]) if '.' in text else 0
        x = float(text.replace(',', ''))
        assert any(round(v, digits) == x for v in values), \
            f'{doc} figure {text} is not in docs/benchmarks.json'


def test_metafile_figures_are_in_benchmarks_json():
    """mim's model index quotes measured figures only."""
    with open(osp.join(REPO, 'configs', 'metafile.yml')) as f:
        lines = [ln for ln in f if not ln.lstrip().startswith('#')]
    values = [f['value'] for f in committed()['figures'].values()]
    for line in lines:
        key, _, text = line.partition(':')
        text = text.strip()
        if not re.fullmatch(r'\d+(\.\d+)?', text) or any(
                k in key for k in ('Iterations', 'Batch Size', 'Epochs')):
            continue
        digits = len(text.split('.')[1]) if '.' in text else 0
        assert any(isinstance(v, (int, float)) and round(v, digits) ==
                   float(text) for v in values), \
            f'metafile figure {line.strip()} is not in docs/benchmarks.json'
