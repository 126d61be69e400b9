"""docs/tutorial.ipynb, executed on the ten sample images (4 iterations)."""
import os.path as osp

import nbformat
import pytest
from nbclient import NotebookClient

from ..conftest import REPO

pytestmark = pytest.mark.slow  # trains, tests and exports a model

NOTEBOOK = osp.join(REPO, 'docs', 'tutorial.ipynb')
#: The parameters cell for the sample images: 6 to train on, 2 to
#: validate, 2 to test.
TINY = """CONFIG = 'configs/m2nist_fastscnn_m2nist-only.py'
ITERS = 4
VAL_INTERVAL = 2
DATA = {data!r}
IMAGE = 9
OPTIONS = [
    'train_dataloader.dataset.index_range=(0,6)',
    'val_dataloader.dataset.index_range=(6,8)',
    'test_dataloader.dataset.index_range=(8,10)',
    'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False',
    # the warm-up (100 iterations) shortened to fit
    'param_scheduler.0.end=2', 'param_scheduler.1.begin=2']
WORK = {work!r}
"""


def test_tutorial_runs_from_data_to_exported_model(tiny_root, tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    params = [c for c in nb.cells
              if 'parameters' in c.metadata.get('tags', [])]
    assert len(params) == 1
    params[0].source = TINY.format(data=tiny_root, work=str(tmp_path))
    NotebookClient(nb, timeout=900, kernel_name='python3',
                   resources={'metadata': {'path': REPO}}).execute()
    pictures = [out for cell in nb.cells if cell.cell_type == 'code'
                for out in cell.outputs
                if 'image/png' in out.get('data', {})]
    # samples, curves, a test image, confusion matrix, IoU bars, overlay
    assert len(pictures) == 6
    assert osp.isfile(tmp_path / 'deploy' / 'end2end.onnx')
    text = ''.join(out.get('text', '') for cell in nb.cells
                   if cell.cell_type == 'code' for out in cell.outputs)
    assert '2 images (test); digit mIoU' in text
    assert 'digits: digits ' in text
