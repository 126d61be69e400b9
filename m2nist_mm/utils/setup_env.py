"""Registering m2nist_mm's modules into the mmseg / mmdet registries."""
from importlib import import_module

#: Modules whose import registers the segmentation side (mmseg only).
SEG_MODULES = (
    'm2nist_mm.datasets.m2nist',
    'm2nist_mm.datasets.mnist_large_scale',
    'm2nist_mm.datasets.transforms',
    'm2nist_mm.engine.hooks.channels_last_hook',
    'm2nist_mm.engine.hooks.iter_seed_hook',
    'm2nist_mm.engine.hooks.train_digits_hook',
    'm2nist_mm.engine.hooks.visualization_hook',
    'm2nist_mm.engine.optimizers',
    'm2nist_mm.evaluation',
    'm2nist_mm.models.backbones.detail_fast_scnn',
    'm2nist_mm.models.classifiers',
    'm2nist_mm.models.decode_heads',
    'm2nist_mm.models.segmentors',
    'm2nist_mm.visualization',
)
#: Modules whose import registers the detection side.
DET_MODULES = (
    'm2nist_mm.datasets.m2nist_det',
    'm2nist_mm.datasets.mnist_large_scale_det',
    'm2nist_mm.engine.hooks.det_visualization_hook',
    'm2nist_mm.engine.hooks.train_digits_hook',  # mmseg.TrainDigitsHook
    'm2nist_mm.models.backbones.digit_cspnext',
    'm2nist_mm.models.classifiers',  # mmseg's registry (mmseg.DigitCNN)
    'm2nist_mm.models.detectors',
    'm2nist_mm.visualization.det_visualizer',
)
#: package -> (lowest version, first version not supported)
REQUIRED = dict(mmcv=('2.1.0', '2.2.0'), mmengine=('0.10.0', '1.0.0'),
                mmseg=('1.2.2', '1.3.0'), mmdet=('3.3.0', '3.4.0'))
TASKS = ('seg', 'det', 'all')


def check_versions(packages) -> None:
    """Raise ImportError naming a package outside its supported range."""
    from mmengine.utils import digit_version
    for name in packages:
        version = import_module(name).__version__
        low, high = REQUIRED[name]
        if not digit_version(low) <= digit_version(version) < \
                digit_version(high):
            raise ImportError(f'm2nist_mm needs {low} <= {name} < {high}, '
                              f'found {version}; run tools/install.sh')


def import_custom_modules(cfg) -> None:
    """Import the config's ``custom_imports`` as mmengine's Runner does
    (for m2nist_mm's configs: register its modules, apply its fixes)."""
    if cfg.get('custom_imports'):
        from mmengine.utils import import_modules_from_strings
        import_modules_from_strings(**cfg.custom_imports)


def register_all_modules(task: str = 'all',
                         init_default_scope: bool = False) -> None:
    """Register m2nist_mm's modules into the OpenMMLab registries.

    Also applies the torch compatibility fixes (:mod:`m2nist_mm.utils.compat`).

    Args:
        task: ``'seg'`` (mmseg only; mmdet is not imported), ``'det'``
            (mmdet, with the transforms and AMP wrapper both sides share)
            or ``'all'``.
        init_default_scope: Also set the default scope, ``mmseg`` for
            ``'seg'``, ``mmdet`` for ``'det'`` (not allowed with ``'all'``).
    """
    if task not in TASKS:
        raise ValueError(f'task must be one of {TASKS}, got {task!r}')
    if init_default_scope and task == 'all':
        raise ValueError('init_default_scope needs task "seg" or "det"')
    check_versions(('mmcv', 'mmengine', 'mmseg') +
                   (('mmdet', ) if task != 'seg' else ()))
    from . import compat
    compat.apply()
    for name in SEG_MODULES + (DET_MODULES if task != 'seg' else ()):
        import_module(name)
    if task != 'seg':
        _share_with_mmdet()
    if init_default_scope:
        from mmengine.registry import init_default_scope as init_scope
        init_scope('mmseg' if task == 'seg' else 'mmdet')


def _share_with_mmdet() -> None:
    """Put the transforms and the AMP wrapper, registered in mmseg's
    registries where they are defined, into mmdet's too (detection
    configs run in the mmdet scope)."""
    from mmdet.registry import OPTIM_WRAPPERS, TRANSFORMS

    from ..datasets.transforms import LoadDigitImage, RandomTranslate, ToGray
    from ..engine.optimizers import CPUAmpOptimWrapper
    for registry, modules in ((TRANSFORMS, (LoadDigitImage, ToGray,
                                            RandomTranslate)),
                              (OPTIM_WRAPPERS, (CPUAmpOptimWrapper, ))):
        for module in modules:
            if module.__name__ not in registry.module_dict:
                registry.register_module(module=module)
