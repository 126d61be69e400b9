import os
import os.path as osp
import shutil
import sys
from setuptools import find_packages, setup

#: What OpenMMLab's package manager (mim) looks for in ``<package>/.mim``.
MIM_FILES = ('configs', 'tools', 'model-index.yml')


def read_requirements(path):
    """The requirements of a file, following ``-r other.txt`` lines."""
    out = []
    with open(path) as f:
        for line in f:
            line = line.split('#')[0].strip()
            if line.startswith('-r '):
                out += read_requirements(
                    osp.join(osp.dirname(path), line[3:].strip()))
            elif line:
                out.append(line)
    return out


def pinned(name):
    """The pin of ``name`` in requirements/runtime.txt."""
    return [r for r in read_requirements('requirements/runtime.txt')
            if r.split('=')[0].split('<')[0].split('>')[0] == name]


def add_mim_extension():
    """Put configs, tools and model-index.yml into ``m2nist_mm/.mim`` for
    ``mim``, as OpenMMLab packages do (copies; develop installs: links)."""
    if 'develop' in sys.argv:
        mode = 'symlink'
    elif {'sdist', 'bdist_wheel', 'install', 'build'} & set(sys.argv):
        mode = 'copy'
    else:
        return
    root = osp.dirname(osp.abspath(__file__))
    mim_dir = osp.join(root, 'm2nist_mm', '.mim')
    os.makedirs(mim_dir, exist_ok=True)
    for name in MIM_FILES:
        src, dst = osp.join(root, name), osp.join(mim_dir, name)
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim_dir), dst)
        elif osp.isdir(src):
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns(
                '__pycache__', '*.pyc'))
        else:
            shutil.copyfile(src, dst)


version = {}
with open('m2nist_mm/version.py') as f:
    exec(f.read(), version)

add_mim_extension()
setup(
    name='m2nist_mm',
    version=version['__version__'],
    description='The MNIST family of data sets (M2NIST, MNIST-extended, '
    'MNIST Large Scale) in MMSegmentation and MMDetection, to deployment',
    long_description=open('README.md').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('tests', 'tests.*', 'configs', 'tools',
                                    'benchmarks')),
    package_data={
        'm2nist_mm': ['.mim/model-index.yml', '.mim/configs/**/*',
                      '.mim/tools/**/*'],
        # which MNIST digit each digit of the real M2NIST is
        'm2nist_core': ['data/*.csv'],
    },
    python_requires='>=3.9',
    # m2nist_core alone (numpy, OpenCV): a slim inference install is
    # `pip install .[onnxruntime]`; tools/install.sh installs the whole
    # stack (mmcv built from source).
    install_requires=read_requirements('requirements/core.txt'),
    extras_require=dict(
        onnxruntime=pinned('onnxruntime'),
        openvino=pinned('openvino'),
        ncnn=pinned('ncnn'),
        large_scale=pinned('h5py'),
        demo=pinned('flask') + pinned('onnxruntime'),
        mm=['torch==2.13.0', 'mmcv==2.1.0'] +
        read_requirements('requirements/runtime.txt'),
        tests=read_requirements('requirements/tests.txt'),
        mim=read_requirements('requirements/mim.txt'),
        dev=read_requirements('requirements/tests.txt'),
        tensorrt=read_requirements('requirements/tensorrt.txt')),
    license='Apache-2.0',
    zip_safe=False)
