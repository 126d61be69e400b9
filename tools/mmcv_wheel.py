"""Check and cache the mmcv wheel that ``tools/install.sh`` builds.

A build of mmcv's sdist that cannot import torch silently makes a wheel
without the compiled ops (``mmcv/_ext*.so``); only a wheel with ops for the
running Python is accepted, and the torch it was built against is recorded
(a torch upgrade forces a rebuild). Standard library only::

    python tools/mmcv_wheel.py cache-dir ROOT     # ROOT/<python>-torch<ver>
    python tools/mmcv_wheel.py find DIR           # a verified wheel, or exit 1
    python tools/mmcv_wheel.py store WHEEL DIR    # verify, then move into DIR

Exit status 0 on success, 1 when a wheel is rejected (with the reason).
"""
import argparse
import hashlib
import importlib.metadata
import json
import os
import shutil
import sys
import sysconfig
import tempfile
import zipfile
from typing import List, Optional

#: The tag of the running interpreter, e.g. ``cp311``.
PYTHON_TAG = f'cp{sys.version_info.major}{sys.version_info.minor}'


class WheelError(Exception):
    """A wheel that must be neither cached nor installed."""


def torch_version() -> str:
    """Return the version of the torch installed in this environment.

    Raises:
        WheelError: torch is not installed.
    """
    try:
        return importlib.metadata.version('torch')
    except importlib.metadata.PackageNotFoundError:
        raise WheelError('torch is not installed in this environment '
                         f'({sys.executable}); install it first') from None


def cache_dir(root: str) -> str:
    """Return the cache folder for this Python and this torch."""
    return os.path.join(root, f'{PYTHON_TAG}-torch{torch_version()}')


def sha256(path: str) -> str:
    """Return the hex SHA-256 digest of a file."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def check_contents(wheel: str) -> None:
    """Check that an ``mmcv-*.whl`` is a sound zip holding ops for this
    Python.

    Raises:
        WheelError: The file is no zip, a member is corrupt, the wheel is
            pure Python (no ``mmcv/_ext*.so``) or built for another Python.
    """
    name = os.path.basename(wheel)
    if not name.startswith('mmcv-') or not name.endswith('.whl'):
        raise WheelError(f'{wheel}: not an mmcv wheel file name')
    try:
        with zipfile.ZipFile(wheel) as zf:
            bad = zf.testzip()
            members = zf.namelist()
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise WheelError(f'{wheel}: corrupt wheel ({e})') from None
    if bad is not None:
        raise WheelError(f'{wheel}: corrupt wheel (bad CRC in {bad})')
    exts = [m for m in members if m.startswith('mmcv/_ext') and
            m.endswith('.so')]
    if not exts:
        raise WheelError(
            f'{wheel}: pure-Python build without the compiled ops '
            '(no mmcv/_ext*.so); the build did not see torch '
            '(MMCV_WITH_OPS=1 needs torch importable by the building Python)')
    suffix = sysconfig.get_config_var('EXT_SUFFIX')
    if f'mmcv/_ext{suffix}' not in exts or f'-{PYTHON_TAG}-' not in name:
        raise WheelError(f'{wheel}: built for another Python ({exts[0]}); '
                         f'this one is {PYTHON_TAG} ({suffix})')


def read_record(wheel: str) -> dict:
    """Return the build record stored beside a cached wheel."""
    try:
        with open(wheel + '.json') as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise WheelError(f'{wheel}.json: missing or unreadable build '
                         f'record ({e})') from None


def verify_cached(wheel: str) -> None:
    """Check a cached wheel against its record, this Python and this torch.

    Raises:
        WheelError: What is wrong with it.
    """
    record = read_record(wheel)
    torch = torch_version()
    if record.get('python') != PYTHON_TAG or record.get('torch') != torch:
        raise WheelError(
            f'{wheel}: built for Python {record.get("python")} and torch '
            f'{record.get("torch")}; this environment has {PYTHON_TAG} and '
            f'torch {torch}')
    if record.get('sha256') != sha256(wheel):
        raise WheelError(f'{wheel}: corrupt wheel (SHA-256 differs from '
                         'its build record)')
    check_contents(wheel)


def find(directory: str) -> Optional[str]:
    """Return a verified wheel of ``directory`` (a folder made by
    :func:`cache_dir`), or None; delete rejected ones."""
    if not os.path.isdir(directory):
        return None
    for name in sorted(os.listdir(directory)):
        if not name.endswith('.whl'):
            continue
        wheel = os.path.join(directory, name)
        try:
            verify_cached(wheel)
            return wheel
        except WheelError as e:
            print(f'[install] rejecting cached wheel: {e}', file=sys.stderr)
            for path in (wheel, wheel + '.json'):
                if os.path.exists(path):
                    os.remove(path)
    return None


def store(wheel: str, directory: str) -> str:
    """Verify a freshly built wheel, copy it (and its record, through
    temporary names) into the cache folder ``directory``; its path there.

    Raises:
        WheelError: The wheel is rejected; nothing is cached.
    """
    check_contents(wheel)
    os.makedirs(directory, exist_ok=True)
    target = os.path.join(directory, os.path.basename(wheel))
    record = dict(python=PYTHON_TAG, torch=torch_version(),
                  sha256=sha256(wheel))
    fd, tmp = tempfile.mkstemp(dir=directory, suffix='.partial')
    os.close(fd)
    shutil.copyfile(wheel, tmp)
    os.chmod(tmp, 0o644)
    with open(tmp + '.json', 'w') as f:
        json.dump(record, f)
    os.replace(tmp + '.json', target + '.json')
    os.replace(tmp, target)
    return target


def main(argv: Optional[List[str]] = None) -> int:
    """Command line; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='cmd', required=True)
    sub.add_parser('cache-dir').add_argument('root')
    sub.add_parser('find').add_argument('dir')
    p = sub.add_parser('store')
    p.add_argument('wheel')
    p.add_argument('dir')
    p = sub.add_parser('check')
    p.add_argument('wheel')
    args = parser.parse_args(argv)
    try:
        if args.cmd == 'cache-dir':
            print(cache_dir(args.root))
        elif args.cmd == 'find':
            wheel = find(args.dir)
            if wheel is None:
                return 1
            print(wheel)
        elif args.cmd == 'store':
            print(store(args.wheel, args.dir))
        else:
            check_contents(args.wheel)
    except WheelError as e:
        print(f'[install] error: {e}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
