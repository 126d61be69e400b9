"""Loading a trained model strictly and predicting with it through its own
test pipeline, in PyTorch: the reference the exports are checked against.
"""
import functools
import os.path as osp
from typing import Callable, List, Sequence, Union

import numpy as np
import torch
from mmengine import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import DefaultScope
from mmengine.runner import CheckpointLoader, load_state_dict
from mmseg.apis import init_model

from m2nist_core.arrays import batches_by_shape
from m2nist_core.inference.detector import Detections
from ..datasets.transforms import array_loading
from ..utils.setup_env import import_custom_modules


def load_model(model_cfg: Union[str, Config],
               checkpoint: str,
               device: str = 'cpu') -> torch.nn.Module:
    """The mmseg or mmdet (``default_scope`` ``mmdet``) model of config
    file or config ``model_cfg`` in eval mode, ``checkpoint`` loaded
    strictly: parameters that do not match are an error, not a warning.

    Raises:
        FileNotFoundError: The checkpoint does not exist.
        ValueError: It cannot be read, holds no state dict, or does not
            match the config.
    """
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {checkpoint}')
    if isinstance(model_cfg, str):
        model_cfg = Config.fromfile(model_cfg)
    import_custom_modules(model_cfg)
    if model_cfg.get('default_scope') == 'mmdet':
        from mmdet.apis import init_detector
        model = init_detector(model_cfg, None, device=device)
    else:
        model = init_model(model_cfg, None, device)
    name = getattr(model.cfg, 'filename', None) or 'the model config'
    try:
        ckpt = CheckpointLoader.load_checkpoint(checkpoint, 'cpu')
    except Exception as e:  # torch/pickle raise many types for bad files
        raise ValueError(f'{checkpoint}: cannot be read as a checkpoint '
                         f'({type(e).__name__}: {e})') from None
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict):
        raise ValueError(f'{checkpoint}: holds no state_dict')
    state = {
        k[7:] if k.startswith('module.') else k: v
        for k, v in state.items()
    }
    try:
        load_state_dict(model, state, strict=True, logger='silent')
    except RuntimeError as e:
        raise ValueError(f'{checkpoint} does not match {name}: {e}') \
            from None
    return model.eval()


def _test_steps(model: torch.nn.Module, imgs: Sequence[np.ndarray],
                batch_size: int, scope: str, steps: List[dict],
                output: Callable) -> list:
    """``output(sample)`` per image of ``model.test_step`` after the test
    pipeline ``steps`` (built in ``scope``), same-size images batched."""
    with DefaultScope.overwrite_default_scope(scope):
        pipeline = Compose(steps)
    preds = [None] * len(imgs)
    for chunk in batches_by_shape([img.shape for img in imgs], batch_size):
        batch = pseudo_collate(
            [pipeline(dict(img=imgs[i], img_id=i)) for i in chunk])
        for i, sample in zip(chunk, model.test_step(batch)):
            preds[i] = output(sample)
    return preds


@torch.no_grad()
def torch_predict(model: torch.nn.Module,
                  imgs: Sequence[np.ndarray],
                  batch_size: int = 50,
                  named: bool = True) -> List[np.ndarray]:
    """Class index maps (``uint8``, 10 = background) of grey ``uint8``
    images from a segmentor of :func:`load_model` by its test pipeline, at
    most ``batch_size`` images of one size a pass (``named=False``: a
    digit-naming segmentor's per-pixel classes)."""
    if not named:
        from mmseg.models.segmentors import EncoderDecoder
        model.predict = functools.partial(EncoderDecoder.predict, model)
        try:
            return torch_predict(model, imgs, batch_size)
        finally:
            del model.predict
    return _test_steps(
        model, imgs, batch_size, 'mmseg',
        array_loading(model.cfg.test_pipeline, 'torch_predict'),
        lambda s: s.pred_sem_seg.data[0].cpu().numpy().astype(np.uint8))


def _detections(sample) -> Detections:
    inst = sample.pred_instances.cpu()
    return dict(bboxes=inst.bboxes.numpy(), scores=inst.scores.numpy(),
                labels=inst.labels.numpy())


@torch.no_grad()
def torch_detect(model: torch.nn.Module, imgs: Sequence[np.ndarray],
                 batch_size: int = 50) -> List[Detections]:
    """Detections of grey ``uint8`` images from a detector of
    :func:`load_model`, as :func:`torch_predict` runs a segmentor.

    Returns:
        Per image, ``bboxes`` ``(n, 4)`` (``x1, y1, x2, y2`` in the image's
        own pixels), ``scores`` ``(n,)`` (all of them, no threshold) and
        ``labels`` ``(n,)`` (digits).
    """
    steps = [s for s in array_loading(model.cfg.test_pipeline, 'torch_detect')
             if s['type'] != 'LoadAnnotations']
    return _test_steps(model, imgs, batch_size, 'mmdet', steps, _detections)
