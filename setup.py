from setuptools import find_packages, setup


def read_requirements(path):
    with open(path) as f:
        return [
            line.split('#')[0].strip() for line in f
            if line.split('#')[0].strip()
        ]


version = {}
with open('m2nist_mm/version.py') as f:
    exec(f.read(), version)

setup(
    name='m2nist_mm',
    version=version['__version__'],
    description='The MNIST family of data sets (M2NIST, MNIST-extended, '
    'MNIST Large Scale) in MMSegmentation and MMDetection, to deployment',
    long_description=open('README.md').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('tests', 'tests.*', 'configs', 'tools')),
    python_requires='>=3.9',
    install_requires=['torch==2.13.0', 'mmcv==2.1.0'] +
    read_requirements('requirements/runtime.txt'),
    extras_require=dict(
        tests=read_requirements('requirements/tests.txt'),
        dev=read_requirements('requirements/tests.txt'),
        tensorrt=read_requirements('requirements/tensorrt.txt')),
    license='Apache-2.0',
    zip_safe=False)
