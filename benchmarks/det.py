"""Detection benchmark: train, test, export to ONNX Runtime, compare.

For each detector it trains ``configs/m2nist_det_<model>.py`` (wall clock
from the command's start), tests the last checkpoint on the test
split with ``tools/test.py`` (COCO mAP), exports it through
``tools/deploy.py``'s ``export`` to ONNX Runtime (NMS in the graph) and
compares the exported model with PyTorch on the 500 test images: matched
boxes, mAP, batch-1 latency. Figures go to docs/benchmarks.{md,json}.

    python -m benchmarks.det --models rtmdet_tiny [--amp]
"""
import argparse
import glob
import json
import os.path as osp
import sys
from typing import List, Optional

import torch
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.registry import init_default_scope

from m2nist_core.inference import DeployedDetector
from m2nist_mm.apis import load_model, torch_detect
from m2nist_mm.datasets.m2nist_det import M2NISTDetDataset
from m2nist_mm.deploy import export
from m2nist_mm.deploy.sdk_client import sdk_detect, sdk_installed
from m2nist_mm.deploy.verify import box_agreement, evaluate_det
from .record import DOCS, REPO, command, save
from .runner import (iteration_times, last_checkpoint, run, timed, train_run,
                     val_curve)

DEPLOY_CFG = 'configs/deploy/detection_onnxruntime_static-64x84.py'
#: Targets: test mAP and mAP50.
TARGET_MAP, TARGET_MAP50 = 0.90, 0.99


def test_split(data_root: str):
    """Test images and their instances ``(class, box)``."""
    ds = M2NISTDetDataset(data_root=data_root, split='test', test_mode=True,
                          pipeline=[])
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    return ([info['img'] for info in infos],
            [[(inst['bbox_label'], tuple(inst['bbox']))
              for inst in info['instances']] for info in infos])


def deploy_rows(config: str, checkpoint: str, work_dir: str,
                args: argparse.Namespace) -> dict:
    """PyTorch and ONNX Runtime on the test split: mAP, agreement, latency."""
    imgs, gts = test_split(args.data_root)
    model = load_model(config, checkpoint)
    ref = torch_detect(model, imgs)
    export(DEPLOY_CFG, config, checkpoint, imgs[0], work_dir)
    deployed = DeployedDetector(work_dir)
    preds = deployed(imgs)
    ref_map, ort_map = evaluate_det(ref, gts), evaluate_det(preds, gts)
    with torch.no_grad():
        x = torch.from_numpy(deployed.preprocess(imgs[:1]))
        meta = DetDataSample(metainfo=dict(
            img_shape=(64, 84), ori_shape=(64, 84), scale_factor=(1.0, 1.0),
            pad_shape=tuple(x.shape[2:]), batch_input_shape=tuple(
                x.shape[2:])))
        torch_lat = timed(lambda: model.predict(x, [meta], rescale=False),
                          args.repeats)
    ort_lat = timed(lambda: deployed(imgs[:1]), args.repeats)
    match = box_agreement(preds, ref)
    rows = {}
    if sdk_installed():  # mmdeploy's SDK on the same export
        sdk_preds = sdk_detect(work_dir, imgs)
        sdk_map = evaluate_det(sdk_preds, gts)
        rows['mmdeploy_sdk'] = dict(
            map=sdk_map['bbox_mAP'], map50=sdk_map['bbox_mAP_50'],
            map_delta=round(sdk_map['bbox_mAP'] - ref_map['bbox_mAP'], 4),
            **box_agreement(sdk_preds, ref))
    return dict(
        **rows,
        pytorch=dict(map=ref_map['bbox_mAP'], map50=ref_map['bbox_mAP_50'],
                     latency_ms=1e3 * torch_lat,
                     size_mb=osp.getsize(checkpoint) / 2**20),
        onnxruntime=dict(
            map=ort_map['bbox_mAP'], map50=ort_map['bbox_mAP_50'],
            map_delta=round(ort_map['bbox_mAP'] - ref_map['bbox_mAP'], 4),
            latency_ms=1e3 * ort_lat, latency_ratio_vs_torch=ort_lat /
            torch_lat, size_mb=sum(map(osp.getsize, deployed.files)) / 2**20,
            **match))


def bench(model: str, args: argparse.Namespace) -> dict:
    config = f'configs/m2nist_det_{model}.py'
    work = osp.join(args.work_root, model)
    train_cmd = [sys.executable, 'tools/train.py', config, '--work-dir', work]
    if args.amp:
        train_cmd.append('--amp')
    log, t0, t_end = train_run(train_cmd, work, REPO)
    curve = [(e, m, v) for e, m, v in val_curve(log, t0)
             if 'coco/bbox_mAP' in v]
    checkpoint = last_checkpoint(work)
    test_dir = osp.join(work, 'test')
    test_cmd = [sys.executable, 'tools/test.py', config, checkpoint,
                '--work-dir', test_dir]
    run(test_cmd, REPO)
    result = sorted(glob.glob(osp.join(test_dir, '*', '*.json')))[-1]
    metrics = json.load(open(result))
    reached = [m for _, m, v in curve if v['coco/bbox_mAP'] >= TARGET_MAP
               and v['coco/bbox_mAP_50'] >= TARGET_MAP50]
    iter_time, data_share = iteration_times(work)
    init_default_scope('mmdet')
    params = sum(p.numel() for p in MODELS.build(
        Config.fromfile(config).model).parameters())
    return dict(
        model=model,
        map=metrics['coco/bbox_mAP'],
        map50=metrics['coco/bbox_mAP_50'],
        map75=metrics['coco/bbox_mAP_75'],
        per_class={k.split('/')[1][:-len('_precision')]: v
                   for k, v in metrics.items() if k.endswith('_precision')},
        params=params,
        minutes=round((t_end - t0) / 60, 2),
        minutes_to_target=round(reached[0], 2) if reached else None,
        iter_time=round(iter_time, 3),
        data_time_share=round(data_share, 2),
        curve=curve,
        checkpoint=checkpoint,
        deploy=deploy_rows(config, checkpoint, osp.join(work, 'deploy_ort'),
                           args),
        commands=[' '.join(train_cmd[1:]), ' '.join(test_cmd[1:])])


def _ok(passed: bool) -> str:
    return 'met' if passed else '**not met**'


def render(key: str, r: dict) -> str:
    """The Markdown section of one detector's run."""
    d = r['deploy']
    ort, sdk = d['onnxruntime'], d.get('mmdeploy_sdk')
    lines = [
        f'## Detection: {r["model"]} on M2NIST', '',
        'Each box fitted to its digit\'s ink and named by the digit '
        'classifier trained with it (`DigitNamingRTMDet`), class-agnostic '
        'NMS. '
        'Test split (images 4500-4999), checkpoint '
        f'`{r["checkpoint"]}`, COCO box mAP (mmdet `CocoMetric`) against '
        'the instances derived from the masks. Minutes: wall clock of the '
        'train command, validation included.', '',
        '| model | params | mAP | mAP50 | mAP75 | train minutes | minutes to '
        'target (val) | s/iter | data |', '|---' * 9 + '|',
        f'| {r["model"]} | {r["params"] / 1e6:.2f} M | {r["map"]:.3f} | '
        f'{r["map50"]:.3f} | {r["map75"]:.3f} | {r["minutes"]:.1f} | '
        f'{r["minutes_to_target"]} | {r["iter_time"]:.2f} | '
        f'{r["data_time_share"]:.1f} % |', '',
        'Per class AP: ' + ', '.join(f'{k}: {v}'
                                     for k, v in r['per_class'].items()),
        '', 'Validation curve (epoch: minutes, mAP / mAP50): ' + ', '.join(
            f'{e}: {m:.1f} min, {v["coco/bbox_mAP"]:.3f} / '
            f'{v["coco/bbox_mAP_50"]:.3f}' for e, m, v in r['curve']), '',
        'Commands run:', ''
    ] + [f'- `{c}`' for c in r['commands']] + [
        '', '### Exported to ONNX Runtime (NMS in the graph)', '',
        f'`{DEPLOY_CFG}`. Agreement: boxes with score >= 0.3 matched one to '
        'one (same class, IoU >= 0.99, score within 0.01); unmatched boxes '
        'within 0.01 of the threshold are borderline and not counted. '
        'Latency: median, batch 1, both in this process: PyTorch\'s '
        '`predict` on the preprocessed tensor (network, NMS, naming), the '
        'runtime on the image (preprocessing, graph with NMS, naming).', '',
        '| backend | mAP | mAP50 | agreement % (matched / unmatched / '
        'borderline) | latency ms | vs torch | size MB |', '|---' * 7 + '|',
        f'| pytorch | {d["pytorch"]["map"]:.3f} | '
        f'{d["pytorch"]["map50"]:.3f} | 100 | '
        f'{d["pytorch"]["latency_ms"]:.2f} | 1.00 | '
        f'{d["pytorch"]["size_mb"]:.2f} |',
        f'| onnxruntime | {ort["map"]:.3f} | {ort["map50"]:.3f} | '
        f'{ort["agreement"]:.3f} ({ort["matched"]} / {ort["unmatched"]} / '
        f'{ort["borderline"]}) | {ort["latency_ms"]:.2f} | '
        f'{ort["latency_ratio_vs_torch"]:.2f} | {ort["size_mb"]:.2f} |',
        *([f'| mmdeploy_sdk | {sdk["map"]:.3f} | {sdk["map50"]:.3f} | '
           f'{sdk["agreement"]:.3f} ({sdk["matched"]} / {sdk["unmatched"]} '
           f'/ {sdk["borderline"]}) | | | |'] if sdk else []), '',
        'mmdeploy_sdk: mmdeploy\'s SDK (mmdeploy_runtime) on the same '
        'export, with its own resize, padding and box rescaling.', '',
        f'Targets: mAP >= {TARGET_MAP}: '
        f'{_ok(r["map"] >= TARGET_MAP)}; mAP50 >= {TARGET_MAP50}: '
        f'{_ok(r["map50"] >= TARGET_MAP50)}; training <= 30 minutes: '
        f'{_ok(r["minutes"] <= 30)}; ONNX Runtime agreement >= 99.9 %: '
        f'{_ok(ort["agreement"] >= 99.9)}.'
    ]
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--models', nargs='+', default=['rtmdet_tiny'],
                        choices=['rtmdet_tiny'])
    parser.add_argument('--amp', action='store_true',
                        help='train with --amp (bfloat16 autocast on CPU)')
    parser.add_argument('--repeats', type=int, default=100)
    parser.add_argument('--data-root', default=osp.join(REPO, 'data',
                                                        'm2nist'))
    parser.add_argument('--work-root', default='work_dirs/benchmark_det')
    parser.add_argument('--docs', default=DOCS)
    args = parser.parse_args(argv)
    cmd = command('det', sys.argv[1:] if argv is None else argv)
    for model in args.models:
        r = bench(model, args)
        ort = r['deploy']['onnxruntime']
        figures = {f'det.{model}.{k}': r[k]
                   for k in ('map', 'map50', 'map75', 'minutes',
                             'minutes_to_target', 'params')}
        figures.update({
            f'det.{model}.onnxruntime.{k}': ort[k]
            for k in ('agreement', 'map_delta', 'latency_ratio_vs_torch')
        })
        figures[f'sdk.{model}.agreement'] = r['deploy'].get(
            'mmdeploy_sdk', {}).get('agreement')
        save({f'det.{model}': dict(benchmark='det', results=r)}, figures, cmd,
             prefixes=(f'det.{model}', f'sdk.{model}'), docs=args.docs)
        print({k: v for k, v in figures.items()})


if __name__ == '__main__':
    main()
