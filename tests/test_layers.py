"""The layers: a numpy-only core under the OpenMMLab adapters.

- ``m2nist_core`` imports neither torch nor any mm* package, nor
  ``m2nist_mm``: it generates M2NIST with all of them blocked;
- no package imports another that imports it back (no cycles);
- the segmentation side registers and builds without mmdet.
"""
import ast
import os
import os.path as osp
import subprocess
import sys
import textwrap
from typing import Dict, Set

import pytest

from .conftest import MNIST_SUBSET, REPO

STACK = ('torch', 'torchvision', 'mmcv', 'mmengine', 'mmseg', 'mmdet',
         'mmdeploy', 'mmdeploy_runtime')
PACKAGES = ('m2nist_core', 'm2nist_mm')


def run_blocked(blocked, code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh Python where importing ``blocked`` (top-level
    names) fails as if they were not installed."""
    prelude = textwrap.dedent(f"""
        import sys
        class Blocker:
            def find_spec(self, name, path=None, target=None):
                if name.split('.')[0] in {tuple(blocked)!r}:
                    raise ModuleNotFoundError(
                        f'No module named {{name!r}} (blocked)', name=name)
        sys.meta_path.insert(0, Blocker())
        """)
    return subprocess.run([sys.executable, '-c', prelude + code], cwd=REPO,
                          capture_output=True, text=True)


def module_imports() -> Dict[str, Set[str]]:
    """Module -> the project modules it imports (absolute names)."""
    graph = {}
    for top in PACKAGES:
        for folder, _, files in os.walk(osp.join(REPO, top)):
            if '.mim' in folder:
                continue
            for name in files:
                if not name.endswith('.py'):
                    continue
                path = osp.join(folder, name)
                parts = osp.relpath(path, REPO)[:-3].split(os.sep)
                is_pkg = parts[-1] == '__init__'
                module = '.'.join(parts[:-1] if is_pkg else parts)
                package = module if is_pkg else module.rpartition('.')[0]
                found = set()
                with open(path) as f:
                    tree = ast.parse(f.read(), path)
                for node in ast.walk(tree):
                    if isinstance(node, ast.Import):
                        found.update(a.name for a in node.names)
                    elif isinstance(node, ast.ImportFrom):
                        base = node.module or ''
                        if node.level:
                            up = package.split('.')[:len(package.split('.'))
                                                    - node.level + 1]
                            base = '.'.join(up + ([base] if base else []))
                        found.add(base)
                        found.update(f'{base}.{a.name}' for a in node.names)
                graph[module] = {m for m in found
                                 if m.split('.')[0] in PACKAGES}
    return graph


def package_of(module: str, modules: Set[str]) -> str:
    """The package a module belongs to (a package is its own)."""
    if module not in modules:  # an imported name, not a module
        module = module.rpartition('.')[0]
    is_pkg = any(m.startswith(module + '.') for m in modules)
    return module if is_pkg else module.rpartition('.')[0]


def test_core_generates_m2nist_without_torch_or_openmmlab(tmp_path):
    proc = run_blocked(STACK + ('m2nist_mm', ), f"""
import json, pkgutil, importlib
import m2nist_core
for info in pkgutil.walk_packages(m2nist_core.__path__, 'm2nist_core.'):
    importlib.import_module(info.name)
from m2nist_core.datagen import generate_dataset, mnist_pools
meta = generate_dataset({str(tmp_path / 'out')!r},
                        mnist_pools({MNIST_SUBSET!r}, {{'test': 8}}),
                        progress=False)
print(json.dumps(dict(n=meta['num_images'],
                      stack=[m for m in sys.modules
                             if m.split('.')[0] in {STACK!r}])))
""")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert '"n": 8' in proc.stdout and '"stack": []' in proc.stdout
    assert (tmp_path / 'out' / 'combined.npy').exists()


def test_core_never_imports_the_adapters():
    graph = module_imports()
    wrong = {m: sorted(i for i in imports if i.startswith('m2nist_mm'))
             for m, imports in graph.items() if m.startswith('m2nist_core')}
    assert not {m: i for m, i in wrong.items() if i}
    assert any(m.startswith('m2nist_core.') for m in graph)


def test_no_import_cycle_between_packages():
    graph = module_imports()
    modules = set(graph)
    deps: Dict[str, Set[str]] = {}
    for module, imports in graph.items():
        src = package_of(module, modules)
        for imported in imports:
            dst = package_of(imported, modules)
            # a package's own __init__ importing its modules is not a cycle;
            # neither is a module importing its own package's siblings
            if dst != src and not dst.startswith(src + '.'):
                deps.setdefault(src, set()).add(dst)

    def reaches(start: str, goal: str, seen: Set[str]) -> bool:
        for nxt in deps.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(
                    nxt, goal, seen | {nxt})):
                return True
        return False

    cycles = sorted((a, b) for a, targets in deps.items() for b in targets
                    if reaches(b, a, {b}))
    assert not cycles, f'packages importing each other: {cycles}'


def test_cycle_finder_finds_a_cycle(monkeypatch):
    """The cycle test can fail: two packages importing each other."""
    fake = {'m2nist_mm.a': {'m2nist_mm.b.x'}, 'm2nist_mm.a.y': set(),
            'm2nist_mm.b': set(), 'm2nist_mm.b.x': {'m2nist_mm.a.y'}}
    monkeypatch.setattr(sys.modules[__name__], 'module_imports',
                        lambda: fake)
    with pytest.raises(AssertionError, match='importing each other'):
        test_no_import_cycle_between_packages()


def test_segmentation_side_needs_no_mmdet():
    proc = run_blocked(('mmdet', ), """
import m2nist_mm.segmentation
from mmengine.config import Config
from mmseg.registry import MODELS
cfg = Config.fromfile('configs/m2nist_fastscnn.py')
model = MODELS.build(cfg.model)
import m2nist_mm.apis, m2nist_mm.deploy
print('built', type(model).__name__)
""")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'built DigitNamingEncoderDecoder' in proc.stdout


def test_importing_the_package_imports_no_openmmlab():
    proc = run_blocked(STACK, """
import m2nist_mm
print(m2nist_mm.__version__)
""")
    assert proc.returncode == 0, proc.stderr[-3000:]
