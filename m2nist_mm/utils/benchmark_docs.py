"""Writing benchmark figures: docs/benchmarks.md sections and .json keys."""
import json
import os
import os.path as osp
import platform
import re
from typing import Dict

import torch


def machine() -> str:
    """CPU model, cores, torch version and threads, Python version."""
    cpu = platform.processor()
    try:
        with open('/proc/cpuinfo') as f:
            cpu = next(line.split(':', 1)[1].strip() for line in f
                       if line.startswith('model name'))
    except (OSError, StopIteration):
        pass
    return (f'{cpu}, {os.cpu_count()} cores, torch {torch.__version__} '
            f'({torch.get_num_threads()} threads), Python '
            f'{platform.python_version()}')


def replace_section(text: str, key: str, body: str) -> str:
    """Replace (or append) the section between ``key`` markers."""
    begin, end = f'<!-- {key}:begin -->', f'<!-- {key}:end -->'
    section = f'{begin}\n{body}\n{end}'
    if begin in text:
        return re.sub(re.escape(begin) + '.*?' + re.escape(end),
                      lambda _: section, text, flags=re.S)
    return text.rstrip('\n') + '\n\n' + section + '\n'


def write_docs(docs: str, sections: Dict[str, str], figures: Dict[str, object],
               prefixes: tuple = ()) -> None:
    """Update ``benchmarks.md`` sections and ``benchmarks.json`` keys.

    JSON keys starting with one of ``prefixes`` are dropped first (a fresh
    run replaces all figures of what it measured); other keys are kept.
    """
    os.makedirs(docs, exist_ok=True)
    json_path = osp.join(docs, 'benchmarks.json')
    old = json.load(open(json_path)) if osp.exists(json_path) else {}
    old = {k: v for k, v in old.items() if not k.startswith(prefixes)}
    with open(json_path, 'w') as f:
        json.dump(dict(sorted({**old, **figures}.items())), f, indent=2)
        f.write('\n')
    md_path = osp.join(docs, 'benchmarks.md')
    text = open(md_path).read() if osp.exists(md_path) else \
        '# Benchmarks\n\nWritten by the benchmark scripts in `tools/`.\n'
    for key, body in sections.items():
        text = replace_section(text, key, body)
    with open(md_path, 'w') as f:
        f.write(text)
