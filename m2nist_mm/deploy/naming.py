"""The digit classifier of a model that names digits whole
(``DigitNamingEncoderDecoder``, ``DigitNamingRTMDet``), exported as a graph
of its own beside the model's.

The segmenter's graph gives the foreground, the detector's its boxes; the
runtime for exported models (:class:`m2nist_core.inference.DeployedModel`,
:class:`m2nist_core.inference.DeployedDetector`) crops each digit and runs
this graph on the crops (:mod:`m2nist_core.naming`), as the PyTorch model
does. ``deploy.json`` names the graph and its settings under ``naming``.
"""
import os.path as osp
from typing import Optional

import torch

from m2nist_core.naming import CROP_SIZE
from ..models.naming import DigitNamingMixin
from ..models.segmentors import DigitNamingEncoderDecoder

#: The classifier's file in an export's work dir.
CLASSIFIER_FILE = 'digit_classifier.onnx'


def export_classifier(model: torch.nn.Module,
                      out_dir: str) -> Optional[dict]:
    """Write ``model``'s digit classifier to ``out_dir`` as ONNX (fp32,
    any number of ``(1, 28, 28)`` crops, probabilities out).

    Args:
        model: The segmentor or detector (:func:`..apis.load_model`).
        out_dir: Where the file goes.

    Returns:
        The ``naming`` entry of ``deploy.json`` (the file, the crop size,
        the ink level; a segmentor's grouping settings and background
        class), or None for a model that does not name digits
        (``ScaleSelectEncoderDecoder`` loads a naming checkpoint's
        classifier without running it).
    """
    if not isinstance(model, DigitNamingMixin):
        return None
    net = torch.nn.Sequential(model.digit_classifier,
                              torch.nn.Softmax(1)).eval().float()
    crops = torch.zeros(2, 1, CROP_SIZE, CROP_SIZE)
    torch.onnx.export(net, (crops, ), osp.join(out_dir, CLASSIFIER_FILE),
                      input_names=['crops'], output_names=['probs'],
                      dynamic_axes=dict(crops={0: 'digits'},
                                        probs={0: 'digits'}),
                      opset_version=11, dynamo=False)
    entry = dict(classifier=CLASSIFIER_FILE, crop_size=CROP_SIZE,
                 ink_level=model.ink_level)
    if isinstance(model, DigitNamingEncoderDecoder):
        entry.update(min_piece=model.min_piece, max_width=model.max_width,
                     background=model.background)
    return entry
