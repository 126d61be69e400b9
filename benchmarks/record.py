"""The writer: figures and runs with their provenance into
docs/benchmarks.json (its two tables: docs/benchmarking.md), then the
Markdown by :mod:`benchmarks.report`, which imports nothing from here.
"""
import json
import os
import os.path as osp
import platform
import re
import shlex
import subprocess
from datetime import datetime, timezone
from importlib import metadata
from typing import Dict, Iterable, Optional

# the paths and the reader are the renderer's; the benchmarks take them
# from here, with the writer
from .report import DOCS, REPO, load, write_markdown

#: Files a benchmark writes (the README: its results table): they do not
#: make the checkout "dirty".
OUTPUTS = ('docs/benchmarks.json', 'docs/benchmarks.md', 'docs/*.png',
           'README.md')


def command(module: str, argv: Iterable[str]) -> str:
    """``python -m benchmarks.<module> <argv>``, shell-quoted."""
    return f'python -m benchmarks.{module} {shlex.join(argv)}'.strip()


def commit() -> str:
    """The checkout's commit, ``+dirty`` when tracked files differ from it
    (other than the benchmark outputs)."""
    def git(*args: str) -> str:
        return subprocess.run(['git', *args], cwd=REPO, capture_output=True,
                              text=True, check=True).stdout.strip()
    try:
        head = git('rev-parse', '--short=12', 'HEAD')
        dirty = git('status', '--porcelain', '--untracked-files=no', '--',
                    '.', *(f':!{p}' for p in OUTPUTS))
    except (OSError, subprocess.CalledProcessError):
        return 'unknown (not a git checkout)'
    return head + ('+dirty' if dirty else '')


def machine() -> str:
    """CPU model, cores, vector extensions, torch and Python versions."""
    cpu, flags = platform.processor() or 'unknown CPU', set()
    try:
        with open('/proc/cpuinfo') as f:
            info = f.read()
        cpu = re.search(r'^model name\s*:\s*(.*)$', info, re.M).group(1)
        flags = set(re.search(r'^flags\s*:\s*(.*)$', info, re.M)
                    .group(1).split())
    except (OSError, AttributeError):
        pass
    isa = 'AVX-512' if 'avx512f' in flags else 'AVX2' if 'avx2' in flags \
        else 'no AVX-512/AVX2'
    extras = [name for flag, name in (('avx512_vnni', 'VNNI'),
                                      ('avx512_bf16', 'BF16'),
                                      ('amx_tile', 'AMX')) if flag in flags]
    if 'avx512f' in flags and 'amx_tile' not in flags:
        extras.append('no AMX')
    try:
        torch = 'torch ' + metadata.version('torch')
    except metadata.PackageNotFoundError:
        torch = 'no torch'
    return (f'{cpu}, {os.cpu_count()} cores, {isa}'
            + (f' ({", ".join(extras)})' if extras else '')
            + f'; {torch}; Python {platform.python_version()}')


def provenance(cmd: str) -> Dict[str, str]:
    """Command, commit, date (UTC) and machine of a run started now."""
    return dict(command=cmd, commit=commit(),
                date=datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
                machine=machine())


def save(runs: Dict[str, dict], figures: Dict[str, object], cmd: str,
         prefixes: Iterable[str], docs: str = DOCS,
         source: Optional[Dict[str, str]] = None,
         drop: Iterable[str] = ()) -> dict:
    """Record one benchmark command's runs and figures; write the docs.

    Args:
        runs: run key -> ``dict(benchmark=module name, results=...)``.
        figures: figure key -> value (JSON-serialisable).
        cmd: the command that measured them (:func:`command`).
        prefixes: dotted key prefixes this command measures: old figures
            and runs under them are dropped first; one that goes on past a
            run's key (``scale.fastscnn.variants.x``) drops that entry of
            its results.
        docs: folder of benchmarks.json / benchmarks.md.
        source: provenance to record instead of :func:`provenance` (tests).
        drop: keys (of figures and runs) dropped exactly.

    Returns:
        The updated contents of benchmarks.json.
    """
    prov = source or provenance(cmd)
    dotted = tuple(p.rstrip('.') + '.' for p in prefixes)
    drop = set(drop)
    data = load(docs)
    for table in ('figures', 'runs'):
        data[table] = {k: v for k, v in data[table].items()
                       if not (k + '.').startswith(dotted) and k not in drop}
    for prefix in dotted:
        for key, run in data['runs'].items():
            if prefix.startswith(key + '.'):
                *parents, leaf = prefix[len(key) + 1:-1].split('.')
                node = run['results']
                for part in parents:
                    node = node.get(part) if isinstance(node, dict) else None
                if isinstance(node, dict):
                    node.pop(leaf, None)
    for key, run in runs.items():
        data['runs'][key] = dict(benchmark=run['benchmark'], **prov,
                                 results=run['results'])
    only = next(iter(runs)) if len(runs) == 1 else None
    run_of = {key: next((r for r in runs if key.startswith(r + '.')), only)
              for key in figures}
    for key, value in figures.items():
        data['figures'][key] = dict(value=value, run=run_of[key], **prov)
    data = {t: dict(sorted(data[t].items())) for t in ('figures', 'runs')}
    text = json.dumps(data, indent=1, default=_plain) + '\n'
    data = json.loads(text)
    os.makedirs(docs, exist_ok=True)
    path = osp.join(docs, 'benchmarks.json')
    with open(path + '.tmp', 'w') as f:
        f.write(text)
    os.replace(path + '.tmp', path)
    write_markdown(data, docs)
    return data


def _plain(value: object) -> object:
    """numpy scalars and arrays as Python numbers and lists."""
    if hasattr(value, 'tolist'):
        return value.tolist()
    raise TypeError(f'a benchmark figure of type {type(value).__name__} '
                    'cannot be written to benchmarks.json')


def main(argv: Optional[Iterable[str]] = None) -> None:
    """``python -m benchmarks.record --retire PREFIX ...``: drop the
    figures and runs of variants the product no longer ships (what they
    measured stays in the docs of their topic)."""
    import argparse
    parser = argparse.ArgumentParser(
        description='Drop the figures and runs of retired benchmarks.')
    parser.add_argument('--retire', nargs='+', required=True,
                        metavar='PREFIX', help='dotted key prefixes to drop')
    parser.add_argument('--docs', default=DOCS)
    args = parser.parse_args(argv)
    save({}, {}, '', prefixes=args.retire, docs=args.docs)


if __name__ == '__main__':
    main()
