"""Open a ``tools/deploy.py`` work dir as the model type it holds."""
import json
import os.path as osp

from .detector import DeployedDetector
from .model import DeployedModel, Export


def load_export(work_dir: str, device: str = 'cpu') -> Export:
    """The segmentation model or detector exported to ``work_dir`` (or to
    the folder of the file ``work_dir``), by ``deploy.json``'s task.

    Args:
        work_dir: The deploy work dir (or a file in it).
        device: ``'cpu'`` or ``'cuda[:i]'``.

    Returns:
        A :class:`DeployedDetector` when the task is ``'Detector'``, else a
        :class:`DeployedModel` (which reports any problem with the files).
    """
    folder = osp.dirname(work_dir) if osp.isfile(work_dir) else work_dir
    try:
        with open(osp.join(folder, 'deploy.json')) as f:
            task = json.load(f).get('task')
    except (OSError, ValueError, AttributeError):
        task = None  # DeployedModel says what is wrong with the files
    cls = DeployedDetector if task == 'Detector' else DeployedModel
    return cls(work_dir, device)
