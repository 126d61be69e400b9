"""The digit classifier of a model that names digits whole, exported as a
graph of its own beside the model's; ``deploy.json`` names it and its
settings under ``naming`` for the runtime (docs/deployment.md).
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

    Returns:
        The ``naming`` entry of ``deploy.json``, or None for a model that
        does not name digits.
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
