"""Fetch the MNIST IDX files from public mirrors, checksum verified."""
import hashlib
import os
import os.path as osp
import urllib.request
from typing import Dict, Sequence

#: The published md5 of each MNIST file.
MNIST_MD5: Dict[str, str] = {
    'train-images-idx3-ubyte.gz': 'f68b3c2dcbeaaa9fbdd348bbdeb94873',
    'train-labels-idx1-ubyte.gz': 'd53e105ee54ea40749a09fcbcd1e9432',
    't10k-images-idx3-ubyte.gz': '9fb629c4189551a2d022fa330f9573f3',
    't10k-labels-idx1-ubyte.gz': 'ec29112dd5afa0611ce80d1b7f02629c',
}
MIRRORS = (
    'https://ossci-datasets.s3.amazonaws.com/mnist/',
    'https://storage.googleapis.com/cvdf-datasets/mnist/',
    'http://yann.lecun.com/exdb/mnist/',
)


def md5(path: str) -> str:
    """Hex md5 of a file."""
    digest = hashlib.md5()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()


def download_mnist(root: str, mirrors: Sequence[str] = MIRRORS,
                   timeout: float = 60) -> None:
    """Put the four MNIST files in ``root`` (created if missing), trying
    the base URLs ``mirrors`` in order, ``timeout`` seconds a connection.

    A file already there with the right md5 is kept. A download whose md5
    differs is deleted and the next mirror tried. A ``root`` created here
    is removed again when no file came.

    Raises:
        RuntimeError: No mirror gave one of the files (what each did).
    """
    created = not osp.isdir(root)
    os.makedirs(root, exist_ok=True)
    try:
        for name, expected in MNIST_MD5.items():
            path = osp.join(root, name)
            if osp.isfile(path) and md5(path) == expected:
                continue
            failures = []
            for mirror in mirrors:
                url = mirror.rstrip('/') + '/' + name
                part = path + '.part'
                try:
                    with urllib.request.urlopen(url, timeout=timeout) as r, \
                            open(part, 'wb') as f:
                        for chunk in iter(lambda: r.read(1 << 20), b''):
                            f.write(chunk)
                except OSError as e:  # unreachable, HTTP error, cut off
                    if osp.exists(part):
                        os.remove(part)
                    failures.append(f'{url}: {e}')
                    continue
                got = md5(part)
                if got == expected:
                    os.replace(part, path)
                    break
                os.remove(part)
                failures.append(f'{url}: md5 {got}, expected {expected}')
            else:
                raise RuntimeError(f'could not download {name}:\n  ' +
                                   '\n  '.join(failures))
    except RuntimeError:
        if created and not os.listdir(root):
            os.rmdir(root)  # no empty folder left to be taken for MNIST
        raise
