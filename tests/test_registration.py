"""Every class decorated with ``register_module`` in m2nist_mm is in an
OpenMMLab registry after ``register_all_modules()`` (so a new module
cannot be left out of the modules it imports)."""
import os.path as osp
import re
from glob import glob

from mmengine.registry import Registry

from m2nist_mm import register_all_modules
from .conftest import REPO

SITE = re.compile(r'@(\w+)\.register_module\([^)]*\)\s*\nclass (\w+)')


def registered_sites() -> list:
    """``(registry name, class name, file)`` of each decorated class."""
    sites = []
    for path in glob(osp.join(REPO, 'm2nist_mm', '**', '*.py'),
                     recursive=True):
        with open(path) as f:
            sites += [(reg, cls, path) for reg, cls in SITE.findall(f.read())]
    return sites


def test_every_register_module_site_is_registered():
    import mmdet.registry
    import mmseg.registry
    register_all_modules('all')
    sites = registered_sites()
    assert len(sites) >= 20
    for reg, cls, path in sites:
        found = [getattr(lib, reg) for lib in (mmseg.registry, mmdet.registry)
                 if isinstance(getattr(lib, reg, None), Registry)]
        assert found, f'{path}: unknown registry {reg}'
        assert any(r.get(cls) is not None for r in found), \
            f'{cls} ({path}) is not registered by register_all_modules()'
