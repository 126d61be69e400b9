"""Verify: how well an export matches PyTorch, and the refusal of one that
matches too little.

:func:`verify` runs the export in its staging dir with the runtime for
exported models, and with mmdeploy's SDK when it is installed and runs the
backend, on the same images as the PyTorch model, and refuses it below the
plan's least agreement: segmentors compare pixels (:func:`agreement`),
detectors boxes (:func:`.verify_det.box_agreement`).
"""
from typing import Dict, Sequence

import numpy as np
import torch

from m2nist_core.inference import DeployedDetector, DeployedModel
from ..apis.inference import torch_detect, torch_predict
from .plan import Plan
from .sdk_client import SDK_BACKENDS, sdk_detect, sdk_installed, sdk_segment


def agreement(preds: Sequence[np.ndarray],
              refs: Sequence[np.ndarray]) -> float:
    """Percentage of pixels with the same class in both.

    Args:
        preds: Class maps of an export.
        refs: The PyTorch class maps of the same images.

    Returns:
        The agreement in % of all pixels.
    """
    same = sum(int((p == r).sum()) for p, r in zip(preds, refs))
    return 100.0 * same / sum(r.size for r in refs)


def _check_agreement(what: str, agree: float, needed: float, unit: str,
                     count: int, work_dir: str) -> None:
    """Refuse an export that agrees with PyTorch on too little.

    Args:
        what: What was compared, for the message.
        agree: Its agreement (%).
        needed: The least agreement accepted (%).
        unit: What the percentage counts (pixels, boxes).
        count: How many images were compared.
        work_dir: The export's work dir (named as left untouched).

    Raises:
        RuntimeError: ``agree < needed``.
    """
    if agree < needed:
        raise RuntimeError(
            f'{what} agrees with PyTorch on only {agree:.4f} % of the {unit} '
            f'of {count} image(s) (needed: {needed} %); {work_dir} left as '
            'it was')


def verify(plan: Plan, model: torch.nn.Module, out_dir: str,
           imgs: Sequence[np.ndarray], names: Sequence[str], device: str,
           work_dir: str) -> Dict:
    """Run the export in ``out_dir`` (the runtime, and mmdeploy's SDK when
    installed) against PyTorch; refuse it below the plan's
    ``min_agreement`` %.

    A segmentor that names digits whole is compared twice, named and by
    its segmenter's own classes (the naming could hide a segmenter gone
    wrong); the lower agreement counts.

    Args:
        plan: The export's :class:`.Plan`.
        model: The PyTorch reference (:func:`..apis.load_model`).
        out_dir: The folder with the new export.
        imgs: Grey ``uint8`` images to compare on.
        names: Their names for messages.
        device: Where the export runs.
        work_dir: The final work dir (named in the refusal).

    Returns:
        dict: ``agreement`` (%), its ``unit``, ``sdk_agreement`` (None when
        the SDK was not run).

    Raises:
        RuntimeError: The runtime's or the SDK's result agrees too little.
    """
    if plan.detection:
        from .verify_det import box_agreement
        refs = torch_detect(model, imgs)
        runtime, sdk_run = DeployedDetector(out_dir, device), sdk_detect
        unit = 'boxes (score >= 0.3)'

        def compare(preds: list) -> float:
            return box_agreement(preds, refs)['agreement']

        found = runtime(imgs, names)
    else:
        runtime = DeployedModel(out_dir, device)
        passes = (True, False) if runtime.namer is not None else (True, )
        refs = {named: torch_predict(model, imgs, named=named)
                for named in passes}
        unit = 'pixels'

        def sdk_run(work: str, imgs: list, device: str) -> dict:
            return {named: sdk_segment(work, imgs, device, named)
                    for named in passes}

        def compare(preds: dict) -> float:
            return min(agreement(preds[n], refs[n]) for n in passes)

        found = {named: [m for m, _ in runtime.predict(imgs, names, named)]
                 for named in passes}
    agree = compare(found)
    _check_agreement(f'the {plan.backend.value} model', agree,
                     plan.min_agreement, unit, len(imgs), work_dir)
    sdk_agree = None
    if plan.backend.value in SDK_BACKENDS and sdk_installed():
        sdk_agree = compare(sdk_run(out_dir, imgs, device))
        _check_agreement("mmdeploy's SDK (mmdeploy_runtime) on the export",
                         sdk_agree, plan.min_agreement, unit, len(imgs),
                         work_dir)
    return dict(agreement=agree, unit=unit, sdk_agreement=sdk_agree)
