"""No module of the project imports one that imports it back.

The graph is read from the sources with ``ast`` (nothing is imported):
every ``import`` and ``from ... import`` of a module, at its top or inside
a function, is an edge to the project module it names (``from P import n``
names ``P.n`` when that is a module, else ``P``). The modules are those of
the packages and the scripts of ``tools/``, which run with their own folder
first on ``sys.path``.
"""
import ast
import os
import os.path as osp
from collections import deque
from typing import Dict, List, Optional, Set

import pytest

from .conftest import REPO

PACKAGES = ('m2nist_core', 'm2nist_mm', 'benchmarks')
SCRIPTS = ('tools', )
#: Copies of the tools and configs that mim installs with the package.
SKIP = ('.mim', '__pycache__')


def module_files(root: str = REPO, packages=PACKAGES,
                 scripts=SCRIPTS) -> Dict[str, str]:
    """Module name -> its file, for the packages and scripts in ``root``."""
    files = {}
    for top in packages + scripts:
        for folder, dirs, names in os.walk(osp.join(root, top)):
            dirs[:] = sorted(d for d in dirs if d not in SKIP)
            for name in sorted(n for n in names if n.endswith('.py')):
                path = osp.join(folder, name)
                parts = osp.relpath(path, root)[:-3].split(os.sep)
                if parts[-1] == '__init__':
                    parts = parts[:-1]
                files['.'.join(parts)] = path
    return files


def import_graph(root: str = REPO, packages=PACKAGES,
                 scripts=SCRIPTS) -> Dict[str, Set[str]]:
    """Module -> the project modules it imports."""
    files = module_files(root, packages, scripts)

    def module_of(name: str) -> Optional[str]:
        while name and name not in files:
            name = name.rpartition('.')[0]
        return name or None

    graph = {}
    for module, path in files.items():
        package = module if path.endswith('__init__.py') else \
            module.rpartition('.')[0]
        script = module.split('.')[0] in scripts
        with open(path) as f:
            tree = ast.parse(f.read(), path)
        found = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    sibling = f'{package}.{alias.name}'
                    found.add(sibling if script and sibling in files else
                              module_of(alias.name))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ''
                if node.level:
                    up = package.split('.')
                    up = up[:len(up) - node.level + 1]
                    base = '.'.join(up + ([base] if base else []))
                elif script and f'{package}.{base}' in files:
                    base = f'{package}.{base}'
                for alias in node.names:
                    name = f'{base}.{alias.name}'
                    found.add(name if name in files else module_of(base))
        graph[module] = found - {None, module}
    return graph


def import_cycles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """The shortest cycle through each module that is on one, each once,
    starting at its first module by name: ``[a, b, ..., a]``."""
    cycles = set()
    for start in sorted(graph):
        back = {start: None}
        todo = deque([start])
        while todo:
            node = todo.popleft()
            nxt = sorted(graph.get(node, ()))
            if start in nxt:
                path = [node]
                while back[path[-1]] is not None:
                    path.append(back[path[-1]])
                path = path[::-1]
                first = path.index(min(path))
                cycles.add(tuple(path[first:] + path[:first]))
                break
            for m in nxt:
                if m not in back:
                    back[m] = node
                    todo.append(m)
    return [list(c) + [c[0]] for c in sorted(cycles)]


def assert_no_cycle(graph: Dict[str, Set[str]]) -> None:
    cycles = import_cycles(graph)
    assert not cycles, 'modules importing each other: ' + '; '.join(
        ' -> '.join(c) for c in cycles)


def test_no_import_cycle_between_modules():
    graph = import_graph()
    for top in PACKAGES + SCRIPTS:
        assert any(m.split('.')[0] == top for m in graph), top
    # edges the reader must see: a script's import of a package, a
    # relative import and one inside a function
    assert 'm2nist_mm.utils.cli' in graph['tools.train']
    assert 'benchmarks.report' in graph['benchmarks.record']
    assert 'm2nist_mm.deploy' in graph['tools.deploy']
    assert_no_cycle(graph)


def test_cycle_is_named(tmp_path):
    """The test can fail, and names the cycle: a function-level import back
    into a module through its package."""
    sources = {
        'pkg/__init__.py': 'from .a import f\n',
        'pkg/a.py': 'def f():\n    from . import b\n    return b\n',
        'pkg/b.py': 'from pkg.c import g\n',
        'pkg/c.py': 'import os\n\n\ndef g():\n    from .a import f\n',
        'pkg/d.py': 'from . import c\n',
        'tools/x.py': 'import y\nfrom pkg import d\n',
        'tools/y.py': 'import x\n',
    }
    for name, text in sources.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    graph = import_graph(str(tmp_path), ('pkg', ), ('tools', ))
    assert graph['pkg.d'] == {'pkg.c'} and graph['pkg.c'] == {'pkg.a'}
    with pytest.raises(AssertionError) as err:
        assert_no_cycle(graph)
    assert str(err.value).splitlines()[0] == (
        'modules importing each other: pkg.a -> pkg.b -> pkg.c -> pkg.a; '
        'tools.x -> tools.y -> tools.x')
