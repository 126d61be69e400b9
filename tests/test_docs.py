"""The README's results are the measured ones in docs/benchmarks.json."""
import json
import os.path as osp
import re

from .conftest import REPO


def numbers(text: str) -> list:
    """Figures written with decimals or thousands separators."""
    return re.findall(r'\d{1,3}(?:,\d{3})+|\d+\.\d+', text)


def test_readme_results_are_in_benchmarks_json():
    with open(osp.join(REPO, 'README.md')) as f:
        readme = f.read()
    results = readme.split('\n## Results\n')[1].split('\n## ')[0]
    with open(osp.join(REPO, 'docs', 'benchmarks.json')) as f:
        values = [v for v in json.load(f).values()
                  if isinstance(v, (int, float)) and not isinstance(v, bool)]
    figures = numbers(results)
    assert len(figures) > 20
    for text in figures:
        digits = len(text.split('.')[1]) if '.' in text else 0
        x = float(text.replace(',', ''))
        assert any(round(v, digits) == x for v in values), \
            f'README figure {text} is not in docs/benchmarks.json'
