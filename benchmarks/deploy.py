"""Deployment benchmark: export each model to every backend and precision
(:data:`DEPLOY_CFGS`), and measure accuracy, agreement with PyTorch,
batch-1 latency and batch-64 throughput with 1 and all threads, in one
process.

    python -m benchmarks.deploy --models fastscnn unet
"""
import argparse
import os.path as osp
import re
import sys
from typing import Callable, Dict, List, Optional

import numpy as np
import torch

from m2nist_core.classes import CLASSES
from m2nist_core.inference import DeployedModel
from m2nist_core.inference.backends import THREADS, openvino_cpu_capabilities
from m2nist_mm.apis import load_model, torch_predict
from m2nist_mm.datasets.m2nist import M2NISTDataset
from m2nist_mm.deploy import agreement, export
from m2nist_mm.deploy.sdk_client import open_segmentor, sdk_installed
from m2nist_mm.evaluation import class_map_metrics
from .record import DOCS, command, save
from .report import fmt, table
from .runner import seg_checkpoint, timed

#: Row -> deploy config. ``<backend>_<precision>`` rows take any batch
#: (dynamic shapes: batch 64 is one run) but ``ncnn_*``, which are static
#: 64x84 exports like ``onnxruntime`` (batch 1: 64 images are 64 runs).
DEPLOY_CFGS = dict(
    onnxruntime_fp32='segmentation_onnxruntime_dynamic',
    onnxruntime_int8='segmentation_onnxruntime-int8_dynamic',
    openvino_fp32='segmentation_openvino_dynamic',
    openvino_bf16='segmentation_openvino-bf16_dynamic',
    openvino_int8='segmentation_openvino-int8_dynamic',
    onnxruntime='segmentation_onnxruntime_static-64x84',
    ncnn_fp32='segmentation_ncnn_static-64x84',
    ncnn_int8='segmentation_ncnn-int8_static-64x84',
    tensorrt='segmentation_tensorrt_static-64x84',
    tensorrt_fp16='segmentation_tensorrt-fp16_static-64x84')
#: The ONNX Runtime fp32 rows; the faster at batch 64 is the reference of
#: the speed-up target. A faster row may lose MAX_LOSS digit mIoU points.
BASELINES, MAX_LOSS = ('onnxruntime_fp32', 'onnxruntime'), 0.3
#: Thread counts every row is timed with.
THREAD_COUNTS = sorted({1, THREADS})


def speed(run: Callable[[np.ndarray], object], x1: np.ndarray,
          x64: np.ndarray, repeats: int) -> Dict[str, float]:
    """Median batch-1 latency (ms) and batch-64 throughput (images/s)."""
    return dict(latency_ms=1e3 * timed(lambda: run(x1), repeats),
                throughput=64 / timed(lambda: run(x64),
                                      max(3, repeats // 10)))


def timings(open_run: Callable[[int], Callable], x1: np.ndarray,
            x64: np.ndarray, repeats: int) -> Dict[str, float]:
    """:func:`speed` with each of :data:`THREAD_COUNTS` threads: the keys
    of all threads plain, those of one thread with ``_1t``."""
    out = {}
    for threads in THREAD_COUNTS:
        figures = speed(open_run(threads), x1, x64, repeats)
        suffix = '' if threads == THREADS else f'_{threads}t'
        out.update({k + suffix: v for k, v in figures.items()})
    return out


def bench(model_name: str, checkpoint: str, backends: List[str],
          data: Dict[str, list], args: argparse.Namespace) -> dict:
    config = f'configs/m2nist_{model_name}.py'
    model = load_model(config, checkpoint)
    imgs, gts = data['imgs'], data['gts']
    ref = torch_predict(model, imgs)
    ref_metrics = class_map_metrics(ref, gts, CLASSES)

    def torch_net(threads: int) -> Callable[[np.ndarray], object]:
        torch.set_num_threads(threads)

        def run(x: np.ndarray) -> object:
            meta = [dict(img_shape=x.shape[2:], pad_shape=x.shape[2:])
                    ] * len(x)
            with torch.no_grad():
                return model.encode_decode(torch.from_numpy(x),
                                           meta).argmax(1)
        return run

    x1 = np.zeros((1, 1, 64, 96), np.float32)
    x64 = np.zeros((64, 1, 64, 96), np.float32)
    torch_threads = torch.get_num_threads()
    rows = dict(pytorch=dict(
        timings(torch_net, x1, x64, args.repeats),
        digit_miou=ref_metrics['digit_mIoU'], miou=ref_metrics['mIoU'],
        agreement=100.0, miou_delta=0.0,
        size_mb=osp.getsize(checkpoint) / 2**20))
    torch.set_num_threads(torch_threads)
    for backend in backends:
        work_dir = osp.join(args.work_root, model_name, backend)
        device = 'cuda' if backend.startswith('tensorrt') else 'cpu'
        result = export(osp.join('configs/deploy',
                                 DEPLOY_CFGS[backend] + '.py'),
                        config, checkpoint, imgs[0], work_dir, device=device)
        deployed = DeployedModel(work_dir, device)
        preds = [p for i in range(0, len(imgs), 50)
                 for p in deployed(imgs[i:i + 50])]
        metrics = class_map_metrics(preds, gts, CLASSES)
        x1b, x64b = (deployed.preprocess(imgs[:n]) for n in (1, 64))

        def open_run(threads: int) -> Callable[[np.ndarray], object]:
            return DeployedModel(work_dir, device, threads).labels

        rows[backend] = dict(
            timings(open_run, x1b, x64b, args.repeats),
            digit_miou=metrics['digit_mIoU'], miou=metrics['mIoU'],
            agreement=agreement(preds, ref),
            miou_delta=round(metrics['mIoU'] - ref_metrics['mIoU'], 4),
            size_mb=sum(map(osp.getsize, deployed.files)) / 2**20,
            calib_images=result['calib_images'])
    if 'onnxruntime' in backends and sdk_installed():
        # mmdeploy's SDK on the static ONNX Runtime export: its own pre-
        # and post-processing, one image a call, its own threads
        segment = open_segmentor(osp.join(args.work_root, model_name,
                                          'onnxruntime'))
        preds = [segment(img) for img in imgs]
        metrics = class_map_metrics(preds, gts, CLASSES)
        rows['mmdeploy_sdk'] = dict(
            rows['onnxruntime'],
            **speed(lambda batch: [segment(img) for img in batch],
                    imgs[:1], imgs[:64], args.repeats),
            digit_miou=metrics['digit_mIoU'], miou=metrics['mIoU'],
            agreement=agreement(preds, ref),
            miou_delta=round(metrics['mIoU'] - ref_metrics['mIoU'], 4))
        for key in ('latency_ms_1t', 'throughput_1t'):
            rows['mmdeploy_sdk'].pop(key, None)
    for row in rows.values():
        row['latency_ratio_vs_torch'] = \
            row['latency_ms'] / rows['pytorch']['latency_ms']
    return dict(model=model_name, checkpoint=checkpoint, rows=rows,
                threads=THREAD_COUNTS, best=best_speedup(rows))


def baseline(rows: Dict[str, dict]) -> Optional[str]:
    """The ONNX Runtime fp32 row with the higher batch-64 throughput."""
    found = [(rows[b]['throughput'], b) for b in BASELINES if b in rows]
    return max(found)[1] if found else None


def best_speedup(rows: Dict[str, dict]) -> Optional[dict]:
    """The fastest row at batch 64 (all threads) whose digit mIoU is within
    :data:`MAX_LOSS` of the :func:`baseline`'s, and its speed-up over
    it."""
    name = baseline(rows)
    if name is None:
        return None
    base = rows[name]
    fine = [(row['throughput'], b) for b, row in rows.items()
            if b not in ('pytorch', 'mmdeploy_sdk')
            and row['digit_miou'] >= base['digit_miou'] - MAX_LOSS]
    tput, best = max(fine)
    return dict(backend=best, baseline=name,
                speedup=tput / base['throughput'])


def _ok(passed: bool) -> str:
    return 'met' if passed else '**not met**'


def render(key: str, results: dict) -> str:
    """The Markdown section of a deployment run (all its models)."""
    caps = results.get('cpu_capabilities')
    results = results['models']
    threads = results[0]['threads']
    one = f'{threads[0]} thread' if len(threads) > 1 else None
    lines = [
        '## Deployment: backends and precisions against PyTorch', '',
        'Test split (images 4500-4999). Agreement: pixels with the same '
        'class as PyTorch (eager, the checkpoint through mmseg\'s test '
        'pipeline). Latency: median of the network alone (preprocessed '
        'tensor in, class map out, argmax included) at batch 1; throughput '
        'at batch 64: one run for the ONNX Runtime and OpenVINO '
        '`<backend>_<precision>` rows (dynamic-shape exports), 64 runs of '
        'one image for the static `onnxruntime` and `ncnn_*` exports. '
        'Timed with '
        f'{" and ".join(map(str, threads))} threads, every row in this one '
        'process. int8 rows: static QDQ quantisation (per-channel int8 '
        'weights, uint8 activations, min/max ranges), calibrated on '
        'training images (the column gives how many); OpenVINO runs the '
        'same quantised graph; ncnn_int8 is ncnn\'s own scheme (signed '
        'int8 inputs by max range, per-channel weights; convolutions on '
        'the image or sensitive to int8 stay fp32). mmdeploy_sdk: '
        'mmdeploy\'s SDK (mmdeploy_runtime) on the static ONNX Runtime '
        'export, with its own pre- and post-processing (one image a '
        'call, so its times include them). Size: the backend\'s model '
        'files (PyTorch: the checkpoint, with optimizer state).'
        + (f' OpenVINO\'s CPU capabilities here: {", ".join(caps)}.'
           if caps else ''), ''
    ]
    rows = []
    for r in results:
        base = r['rows'].get(BASELINES[0])
        for backend, v in r['rows'].items():
            delta = (f'{v["digit_miou"] - base["digit_miou"]:+.2f}'
                     if base else '')
            cells = [r['model'], backend, f'{v["digit_miou"]:.2f}', delta,
                     f'{v["agreement"]:.4f}',
                     str(v.get('calib_images') or ''),
                     f'{v["latency_ms"]:.2f}']
            if one:
                cells.append(fmt(v.get('latency_ms_1t'), '.2f', ''))
            cells.append(f'{v["throughput"]:.0f}')
            if one:
                cells.append(fmt(v.get('throughput_1t'), '.0f', ''))
            rows.append(cells + [f'{v["size_mb"]:.2f}'])
    lines += table(
        ['model', 'backend', 'digit mIoU', 'vs fp32 ORT', 'agreement %',
         'calib imgs', f'latency ms (b1, {threads[-1]} threads)'] +
        ([f'latency ms ({one})'] if one else []) +
        [f'images/s (b64, {threads[-1]} threads)'] +
        ([f'images/s ({one})'] if one else []) + ['size MB'], rows)
    lines += ['', 'vs fp32 ORT: digit mIoU against `onnxruntime_fp32`. '
              'Targets: the fastest row at batch 64 whose digit mIoU is '
              f'within {MAX_LOSS} of ONNX Runtime fp32 runs >= 3x the '
              'throughput of the faster ONNX Runtime fp32 export '
              '(`onnxruntime_fp32` or the static `onnxruntime`); every '
              f'int8/bf16 row loses <= {MAX_LOSS} digit mIoU; fp32 rows '
              'agree with PyTorch on >= 99.99 % of the pixels.', '',
              '| model | target | result |', '|---|---|---|']
    for r in results:
        best, rows = r['best'], r['rows']
        if best:
            lines.append(
                f'| {r["model"]} | best speed-up >= 3x | '
                f'{_ok(best["speedup"] >= 3)} ({best["backend"]}, '
                f'{best["speedup"]:.2f}x {best["baseline"]}) |')
        base = rows.get(BASELINES[0])
        for backend, v in rows.items():
            if base and re.search(r'_(int8|bf16)$', backend):
                loss = base['digit_miou'] - v['digit_miou']
                lines.append(f'| {r["model"]} | {backend} loss <= '
                             f'{MAX_LOSS} | {_ok(loss <= MAX_LOSS)} '
                             f'({loss:.2f}) |')
            elif backend not in ('pytorch', ) and 'int8' not in backend \
                    and 'bf16' not in backend and 'fp16' not in backend:
                lines.append(f'| {r["model"]} | {backend} agreement | '
                             f'{_ok(v["agreement"] >= 99.99)} '
                             f'({v["agreement"]:.4f} %) |')
    if not any(b.startswith('tensorrt') for b in results[0]['rows']):
        lines += ['', 'TensorRT: not measured in this run (no CUDA device '
                  'visible).']
    lines += ['', 'Checkpoints: ' + ', '.join(
        f'{r["model"]}: `{r["checkpoint"]}`' for r in results)]
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--models', nargs='+', default=['fastscnn', 'unet'],
                        choices=['fastscnn', 'unet'])
    parser.add_argument('--checkpoints', nargs='+',
                        help='one per model (default: the benchmark_seg '
                        'seed-0 checkpoints)')
    caps = openvino_cpu_capabilities()
    parser.add_argument(
        '--backends', nargs='+',
        default=[b for b in DEPLOY_CFGS
                 if not b.startswith('tensorrt') and (
                     b != 'openvino_bf16' or 'BF16' in caps)] +
        (['tensorrt', 'tensorrt_fp16'] if torch.cuda.is_available() else []),
        choices=list(DEPLOY_CFGS))
    parser.add_argument('--data-root', default='data/m2nist')
    parser.add_argument('--repeats', type=int, default=200)
    parser.add_argument('--work-root', default='work_dirs/benchmark_deploy')
    parser.add_argument('--docs', default=DOCS)
    args = parser.parse_args(argv)
    checkpoints = args.checkpoints or [seg_checkpoint(m)
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
        for k, v in row.items() if isinstance(v, (int, float))
    }
    for r in results:
        best = r['best'] or {}
        figures[f'deploy.{r["model"]}.best_speedup_vs_ort_fp32'] = \
            round(best['speedup'], 4) if best else None
        figures[f'deploy.{r["model"]}.best_backend'] = best.get('backend')
        # the SDK's figures under the keys users look for
        sdk = r['rows'].get('mmdeploy_sdk', {})
        figures[f'sdk.{r["model"]}.agreement'] = sdk.get('agreement')
        figures[f'sdk.{r["model"]}.digit_miou'] = sdk.get('digit_miou')
    runs = dict(models=results, cpu_capabilities=caps)
    save({'deploy': dict(benchmark='deploy', results=runs)},
         figures, cmd, docs=args.docs,
         prefixes=['deploy'] + [f'sdk.{r["model"]}' for r in results])
    print(render('deploy', runs))


if __name__ == '__main__':
    main()
