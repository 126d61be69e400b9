"""Deployment benchmark: export, accuracy, agreement and speed per backend.

For each model it exports the checkpoint with tools/deploy.py's ``export``
(static ONNX Runtime and ncnn, dynamic ONNX Runtime for batch 64, TensorRT
when a GPU is visible), runs PyTorch and every backend on the 500 test
images, and measures batch-1 latency and batch-64 throughput of the network
(preprocessed tensor in, class map out) side by side in one process.

    python -m benchmarks.deploy --models fastscnn unet
"""
import argparse
import glob
import os.path as osp
import re
import sys
from typing import Callable, Dict, List, Optional

import numpy as np
import torch

from m2nist_core.classes import CLASSES
from m2nist_core.inference import DeployedModel
from m2nist_core.inference.backends import THREADS
from m2nist_mm.apis import load_model, torch_predict
from m2nist_mm.datasets.m2nist import M2NISTDataset
from m2nist_mm.deploy import agreement, export
from m2nist_mm.deploy.sdk_client import open_segmentor, sdk_installed
from m2nist_mm.evaluation import class_map_metrics
from .record import DOCS, command, save
from .runner import timed

DEPLOY_CFGS = dict(
    onnxruntime='segmentation_onnxruntime_static-64x84',
    onnxruntime_dynamic='segmentation_onnxruntime_dynamic',
    ncnn='segmentation_ncnn_static-64x84',
    tensorrt='segmentation_tensorrt_static-64x84',
    tensorrt_fp16='segmentation_tensorrt-fp16_static-64x84')


def default_checkpoint(model: str) -> str:
    """The best validation checkpoint of benchmarks.seg's seed-0 run."""
    found = sorted(glob.glob(f'work_dirs/benchmark_seg/{model}/seed0/'
                             'best_digit_mIoU_iter_*.pth'),
                   key=lambda p: int(re.findall(r'\d+', p)[-1]))
    if not found:
        raise FileNotFoundError(f'no checkpoint for {model}: run '
                                'python -m benchmarks.seg or pass '
                                '--checkpoints')
    return found[-1]


def bench(model_name: str, checkpoint: str, backends: List[str],
          data: Dict[str, list], args: argparse.Namespace) -> dict:
    config = f'configs/m2nist_{model_name}.py'
    model = load_model(config, checkpoint)
    imgs, gts = data['imgs'], data['gts']
    ref = torch_predict(model, imgs)
    ref_metrics = class_map_metrics(ref, gts, CLASSES)
    x1 = np.zeros((1, 1, 64, 96), np.float32)
    x64 = np.zeros((64, 1, 64, 96), np.float32)

    def torch_net(x: np.ndarray) -> Callable[[], object]:
        t = torch.from_numpy(x)
        meta = [dict(img_shape=x.shape[2:], pad_shape=x.shape[2:])] * len(x)
        return lambda: model.encode_decode(t, meta).argmax(1)

    with torch.no_grad():
        torch_lat = timed(torch_net(x1), args.repeats)
        torch_tput = 64 / timed(torch_net(x64), max(3, args.repeats // 10))
    rows = dict(pytorch=dict(
        latency_ms=1e3 * torch_lat, throughput=torch_tput,
        digit_miou=ref_metrics['digit_mIoU'], miou=ref_metrics['mIoU'],
        agreement=100.0, miou_delta=0.0, latency_ratio_vs_torch=1.0,
        size_mb=osp.getsize(checkpoint) / 2**20))
    for backend in backends:
        work_dir = osp.join(args.work_root, model_name, backend)
        device = 'cuda' if backend.startswith('tensorrt') else 'cpu'
        export(osp.join('configs/deploy', DEPLOY_CFGS[backend] + '.py'),
               config, checkpoint, imgs[0], work_dir, device=device)
        deployed = DeployedModel(work_dir, device)
        preds = [p for i in range(0, len(imgs), 50)
                 for p in deployed(imgs[i:i + 50])]
        metrics = class_map_metrics(preds, gts, CLASSES)
        x1b = deployed.preprocess(imgs[:1])
        lat = timed(lambda: deployed.labels(x1b), args.repeats)
        x64b = deployed.preprocess(imgs[:64])
        tput = 64 / timed(lambda: deployed.labels(x64b),
                          max(3, args.repeats // 10))
        rows[backend] = dict(
            latency_ms=1e3 * lat, throughput=tput,
            digit_miou=metrics['digit_mIoU'], miou=metrics['mIoU'],
            agreement=agreement(preds, ref),
            miou_delta=round(metrics['mIoU'] - ref_metrics['mIoU'], 4),
            latency_ratio_vs_torch=lat / torch_lat,
            size_mb=sum(map(osp.getsize, deployed.files)) / 2**20)
    if 'onnxruntime' in backends and sdk_installed():
        # mmdeploy's SDK on the static ONNX Runtime export: its own pre-
        # and post-processing, one image a call
        segment = open_segmentor(osp.join(args.work_root, model_name,
                                          'onnxruntime'))
        preds = [segment(img) for img in imgs]
        metrics = class_map_metrics(preds, gts, CLASSES)
        lat = timed(lambda: segment(imgs[0]), args.repeats)
        tput = 64 / timed(lambda: [segment(img) for img in imgs[:64]],
                          max(3, args.repeats // 10))
        rows['mmdeploy_sdk'] = dict(
            rows['onnxruntime'], latency_ms=1e3 * lat, throughput=tput,
            digit_miou=metrics['digit_mIoU'], miou=metrics['mIoU'],
            agreement=agreement(preds, ref),
            miou_delta=round(metrics['mIoU'] - ref_metrics['mIoU'], 4),
            latency_ratio_vs_torch=lat / torch_lat)
    return dict(model=model_name, checkpoint=checkpoint, rows=rows,
                threads=dict(pytorch=torch.get_num_threads(),
                             backends=THREADS))


def _ok(passed: bool) -> str:
    return 'met' if passed else '**not met**'


def render(key: str, results: dict) -> str:
    """The Markdown section of a deployment run (all its models)."""
    results = results['models']
    threads = results[0]['threads']
    lines = [
        '## Deployment: exported models against PyTorch', '',
        'Test split (images 4500-4999). Agreement: pixels with the same '
        'class as PyTorch (eager, the checkpoint through mmseg\'s test '
        'pipeline). Latency: median of the network alone (preprocessed '
        'tensor in, class map out, argmax included) at batch 1; throughput '
        'at batch 64 (static-shape models and ncnn run the 64 images one at '
        'a time, the dynamic ONNX model as one batch). Every backend '
        f'measured in this one process; threads: PyTorch '
        f'{threads["pytorch"]}, ONNX Runtime and ncnn {threads["backends"]}. '
        'mmdeploy_sdk: mmdeploy\'s SDK (mmdeploy_runtime) on the static '
        'ONNX Runtime export, with its own pre- and post-processing (grey '
        'BGR image in, class map out, one image a call, so its times '
        'include them). Size: the backend\'s model files (PyTorch: the '
        'checkpoint, with optimizer state).', '',
        '| model | backend | digit mIoU | mIoU | mIoU delta | agreement % | '
        'latency ms (b1) | vs torch | images/s (b64) | size MB |',
        '|---' * 10 + '|'
    ]
    for r in results:
        for backend, v in r['rows'].items():
            lines.append(
                f'| {r["model"]} | {backend} | {v["digit_miou"]:.2f} | '
                f'{v["miou"]:.2f} | {v["miou_delta"]:+.4f} | '
                f'{v["agreement"]:.4f} | {v["latency_ms"]:.2f} | '
                f'{v["latency_ratio_vs_torch"]:.2f} | '
                f'{v["throughput"]:.0f} | {v["size_mb"]:.2f} |')
    lines += ['', 'Targets: agreement >= 99.99 %, |mIoU delta| <= '
              '0.01, ONNX Runtime batch-1 latency <= 0.5 x PyTorch, ncnn <= '
              'ONNX Runtime.', '',
              '| model | backend | agreement | mIoU delta | latency |',
              '|---|---|---|---|---|']
    for r in results:
        ort = r['rows'].get('onnxruntime')
        for backend, v in r['rows'].items():
            if backend == 'pytorch':
                continue
            limit = ort['latency_ms'] if backend == 'ncnn' and ort else \
                0.5 * r['rows']['pytorch']['latency_ms']
            lines.append(
                f'| {r["model"]} | {backend} | '
                f'{_ok(v["agreement"] >= 99.99)} | '
                f'{_ok(abs(v["miou_delta"]) <= 0.01)} | '
                f'{_ok(v["latency_ms"] <= limit)} '
                f'({v["latency_ms"]:.2f} ms, limit {limit:.2f}) |')
    if not any(b.startswith('tensorrt') for b in results[0]['rows']):
        lines += ['', 'TensorRT: not measured in this run (no CUDA device '
                  'visible); its figures in benchmarks.json are null.']
    lines += ['', 'Checkpoints: ' + ', '.join(
        f'{r["model"]}: `{r["checkpoint"]}`' for r in results)]
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--models', nargs='+', default=['fastscnn', 'unet'],
                        choices=['fastscnn', 'unet'])
    parser.add_argument('--checkpoints', nargs='+',
                        help='one per model (default: the benchmark_seg '
                        'best checkpoints)')
    parser.add_argument('--backends', nargs='+',
                        default=['onnxruntime', 'onnxruntime_dynamic',
                                 'ncnn'] +
                        (['tensorrt', 'tensorrt_fp16']
                         if torch.cuda.is_available() else []),
                        choices=list(DEPLOY_CFGS))
    parser.add_argument('--data-root', default='data/m2nist')
    parser.add_argument('--repeats', type=int, default=200)
    parser.add_argument('--work-root', default='work_dirs/benchmark_deploy')
    parser.add_argument('--docs', default=DOCS)
    args = parser.parse_args(argv)
    checkpoints = args.checkpoints or [default_checkpoint(m)
                                       for m in args.models]
    if len(checkpoints) != len(args.models):
        parser.error('give one checkpoint per model')
    ds = M2NISTDataset(data_root=args.data_root, split='test',
                       test_mode=True, pipeline=[])
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    data = dict(imgs=[i['img'] for i in infos],
                gts=[i['gt_seg_map'] for i in infos])
    results = [bench(m, c, args.backends, data, args)
               for m, c in zip(args.models, checkpoints)]
    cmd = command('deploy', sys.argv[1:] if argv is None else argv)
    figures = {
        f'deploy.{r["model"]}.{b}.{k}': round(v, 4)
        for r in results for b, row in r['rows'].items()
        for k, v in row.items()
    }
    for r in results:  # the SDK's figures under the keys users look for
        sdk = r['rows'].get('mmdeploy_sdk', {})
        figures[f'sdk.{r["model"]}.agreement'] = sdk.get('agreement')
        figures[f'sdk.{r["model"]}.digit_miou'] = sdk.get('digit_miou')
    for r in results:  # every backend's keys, null when not measured
        for key in ('agreement', 'miou_delta', 'latency_ratio_vs_torch'):
            figures.setdefault(f'deploy.{r["model"]}.tensorrt.{key}', None)
    save({'deploy': dict(benchmark='deploy', results=dict(models=results))},
         figures, cmd, docs=args.docs,
         prefixes=['deploy'] + [f'sdk.{r["model"]}' for r in results])
    print(render('deploy', dict(models=results)))


if __name__ == '__main__':
    main()
