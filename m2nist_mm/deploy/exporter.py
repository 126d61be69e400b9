"""Export a trained checkpoint through mmdeploy to a backend work dir:
:func:`export` runs the steps of :mod:`m2nist_mm.deploy` in order."""
from typing import Dict, Optional, Sequence

import numpy as np

from m2nist_core.inference.model import check_images
from ..apis.inference import load_model
from .convert import convert, export_onnx
from .naming import export_classifier
from .plan import make_plan
from .quantize import calibration_set, quantize_graph, quantize_ncnn_model
from .verify import verify
from .write import move_in, staging, write_meta


def export(deploy_cfg: str, model_cfg: str, checkpoint: str,
           img: np.ndarray, work_dir: str,
           check_imgs: Sequence[np.ndarray] = (), device: str = 'cpu',
           min_agreement: Optional[float] = None,
           names: Optional[Sequence[str]] = None,
           calib_imgs: Optional[Sequence[np.ndarray]] = None,
           calib_names: Optional[Sequence[str]] = None) -> Dict:
    """Export ``checkpoint``, write the SDK meta files, check the result.

    The export replaces an earlier one in ``work_dir`` only when it agrees
    with PyTorch on ``img`` and ``check_imgs`` (:func:`.verify.verify`).

    Args:
        img: The sample image (grey ``uint8``) the graph is traced with;
            a static model takes its size.
        min_agreement: The least agreement with PyTorch accepted (%);
            None for :data:`.plan.MIN_AGREEMENT` of the export's precision.
        names: Names of ``img`` and ``check_imgs`` for messages.
        calib_imgs: Calibration images of an int8 export; None for those
            its ``calib_config`` picks.

    Returns:
        dict: ``files`` written, ``backend``, ``precision``, the number of
        ``calib_images``, ``input_shape``, the ``agreement`` (%) of what
        (``unit``), the SDK's (``sdk_agreement``, None when not run) and
        the number of ``images`` it was checked on.
    """
    plan = make_plan(deploy_cfg, model_cfg, min_agreement)
    imgs = [img, *check_imgs]
    names = check_images(imgs, names)
    plan.check_sizes(imgs, names)
    calib, calib_names = calibration_set(plan, calib_imgs, calib_names)
    plan.check_sizes([img, *calib], [names[0], *calib_names])
    # the reference: the model as tools/test.py runs it (strict loading)
    model = load_model(plan.model_cfg, checkpoint)
    with staging(work_dir) as tmp:
        graph = export_onnx(plan, checkpoint, img, tmp)
        if plan.int8 and not plan.int8.ncnn:
            quantize_graph(plan, graph, calib)
        files = convert(plan, graph, tmp)
        if plan.int8 and plan.int8.ncnn:
            quantize_ncnn_model(plan, graph, files, calib)
        naming = export_classifier(model, tmp)  # a segmentor naming digits
        write_meta(plan, checkpoint, graph, tmp, naming)
        checked = verify(plan, model, tmp, imgs, names, device, work_dir)
        files = move_in(tmp, work_dir, plan.stem)
    return dict(files=files, input_shape=graph.shape,
                backend=plan.backend.value, precision=plan.precision,
                images=len(imgs), calib_images=len(calib), **checked)
