"""Write: the export's staging dir, mmdeploy's SDK meta files and the move
into the work dir once verified (a failed export leaves it as it was).
"""
import contextlib
import os
import os.path as osp
import tempfile
from typing import Iterator, List, Optional

import mmengine
from mmdeploy.backend.sdk.export_info import (get_deploy, get_detail,
                                              get_inference_info,
                                              get_postprocess)

from .convert import Graph
from .naming import CLASSIFIER_FILE
from .plan import Plan

#: The SDK meta files; with ``<save_file stem>.*`` all an export writes.
OUTPUTS = ('deploy.json', 'pipeline.json', 'detail.json')


@contextlib.contextmanager
def staging(work_dir: str) -> Iterator[str]:
    """A temporary dir inside ``work_dir`` (made if need be) to make the
    export in, removed on exit with whatever is left in it."""
    os.makedirs(work_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_dir, prefix='.partial-') as tmp:
        yield tmp


def write_meta(plan: Plan, checkpoint: str, graph: Graph, out_dir: str,
               naming: Optional[dict] = None) -> None:
    """Write the three SDK meta files; ``pipeline.json``'s ``Preprocess`` is
    the plan's, the rest mmdeploy's. ``deploy.json`` also records the
    precision, the graph's input shape and ``naming``
    (:func:`.naming.export_classifier`), for a segmentor that names digits
    whole."""
    deploy_cfg, model_cfg = plan.deploy_cfg, plan.export_cfg
    deploy = get_deploy(deploy_cfg, model_cfg, out_dir, 'cpu')
    deploy['models'][0].update(precision=plan.precision,
                               input_shape=graph.shape)
    if naming:
        deploy['naming'] = naming
    infer = get_inference_info(deploy_cfg, model_cfg, out_dir, 'cpu')
    postprocess = get_postprocess(deploy_cfg, model_cfg, out_dir, 'cpu')
    preprocess = plan.preprocess
    postprocess['input'] = preprocess['output'] + infer['output']
    pipeline = dict(pipeline=dict(
        input=preprocess['input'], output=postprocess['output'],
        tasks=[preprocess, infer, postprocess]))
    detail = get_detail(deploy_cfg, model_cfg, pth=checkpoint)
    for name, info in (('deploy', deploy), ('pipeline', pipeline),
                       ('detail', detail)):
        mmengine.dump(info, osp.join(out_dir, f'{name}.json'),
                      sort_keys=False, indent=4)


def move_in(tmp: str, work_dir: str, stem: str) -> List[str]:
    """Move the files of ``tmp`` in, remove what is left of an older export
    (e.g. an ``.onnx`` beside a new ncnn model); return the paths moved in.
    """
    files = sorted(os.listdir(tmp))
    for name in files:
        os.replace(osp.join(tmp, name), osp.join(work_dir, name))
    for name in os.listdir(work_dir):
        if name not in files and (name in OUTPUTS + (CLASSIFIER_FILE, )
                                  or osp.splitext(name)[0] == stem):
            os.remove(osp.join(work_dir, name))
    return [osp.join(work_dir, f) for f in files]
