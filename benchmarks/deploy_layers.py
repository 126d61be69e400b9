"""Where the time goes in an exported model: ONNX Runtime against ncnn,
layer by layer, inside the whole graph.

ONNX Runtime: its own profiler (per node, after its graph optimisations).
ncnn: one extractor run that asks for every layer's output in graph order,
so each call computes exactly one layer (blobs stay in ncnn's packed
layout); the call's time is the layer's. Both on the same input, side by
side in one process, with the deploy runtime's threads and options.

    python -m benchmarks.deploy_layers \\
        work_dirs/benchmark_deploy/fastscnn/onnxruntime \\
        work_dirs/benchmark_deploy/fastscnn/ncnn_fp32 --name fastscnn \\
        --openvino work_dirs/benchmark_deploy/fastscnn/openvino_int8
"""
import argparse
import json
import os
import sys
import tempfile
import time
from typing import Dict, List, Optional, Tuple

import numpy as np
import onnxruntime as ort

from m2nist_core.inference import DeployedModel
from m2nist_core.inference.backends import THREADS, NcnnBackend
from .record import DOCS, command, save
from .runner import timed

#: A layer: (backend's name for it, operator, output (C, H, W), ms).
Layer = Tuple[str, str, Tuple[int, ...], float]


def ort_layers(model: DeployedModel, x: np.ndarray, runs: int,
               tmp: str) -> List[Layer]:
    """Median kernel time of each node over ``runs`` profiled runs."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.enable_profiling = True
    options.profile_file_prefix = os.path.join(tmp, 'ort')
    session = ort.InferenceSession(model.files[0], options,
                                   providers=['CPUExecutionProvider'])
    feed = {session.get_inputs()[0].name: x}
    for _ in range(runs):
        session.run(None, feed)
    with open(session.end_profiling()) as f:
        events = [e for e in json.load(f) if e.get('cat') == 'Node'
                  and e['name'].endswith('_kernel_time')]
    times: Dict[str, List[float]] = {}
    info = {}
    for e in events:
        name = e['name'][:-len('_kernel_time')]
        times.setdefault(name, []).append(e['dur'] / 1e3)
        shape = next(iter(e['args']['output_type_shape'][0].values()))
        info[name] = (e['args']['op_name'], tuple(shape[1:]))
    return [(n, *info[n], float(np.median(t))) for n, t in times.items()]


def ncnn_layers(backend: NcnnBackend, x: np.ndarray,
                runs: int) -> Tuple[List[Layer], float]:
    """Median time of each layer, computed one at a time in graph order;
    and of an extract call that computes nothing (ms)."""
    ncnn, net = backend.ncnn, backend.net
    with open(backend.param_file) as f:
        lines = [line.split() for line in f.read().splitlines()[2:]]
    layers = [(ln[1], ln[0], ln[4 + int(ln[2])]) for ln in lines
              if ln and ln[0] != 'Input']
    image = ncnn.Mat(np.ascontiguousarray(x[0]))
    times = np.zeros((runs, len(layers) + 1))
    shapes = {}

    def extract(ex: object, name: str, blob: str) -> object:
        ret, out = ex.extract(blob, 1)  # 1: keep the packed layout
        if ret != 0:
            raise RuntimeError(f'{backend.param_file}: ncnn failed on '
                               f'layer {name} (error {ret})')
        return out

    for r in range(-3, runs):  # r < 0: warm-up runs, not kept
        ex = net.create_extractor()
        ex.set_light_mode(False)  # keep every blob: one layer a call
        ex.input(backend.input_name, image)
        for i, (name, _, blob) in enumerate(layers + [layers[-1]]):
            t0 = time.perf_counter()
            out = extract(ex, name, blob)  # the last: already computed
            if r >= 0:
                times[r, i] = time.perf_counter() - t0
            shapes[name] = (out.c * out.elempack, out.h, out.w)
    median = 1e3 * np.median(times, axis=0)
    call = float(median[-1])
    return [(name, op, shapes[name], float(t))
            for (name, op, _), t in zip(layers, median)], call


def openvino_layers(model: DeployedModel, x: np.ndarray,
                    runs: int) -> List[Layer]:
    """Median time of each node of an OpenVINO export on ``x``, from
    OpenVINO's own performance counters (after its fusions; the operator
    is the node type with the kernel OpenVINO chose, e.g. ``jit_avx512``,
    ``ref`` for its reference code)."""
    net = model.net
    net.config = dict(net.config, PERF_COUNT=True)
    net.requests.clear()
    times: Dict[str, List[float]] = {}
    ops = {}
    for r in range(-3, runs):
        net(x)
        if r < 0:
            continue
        request = net.requests[x.shape]
        for p in request.get_profiling_info():
            if p.real_time.total_seconds() > 0:
                times.setdefault(p.node_name, []).append(
                    1e3 * p.real_time.total_seconds())
                ops[p.node_name] = f'{p.node_type} ({p.exec_type})'
    return [(n, ops[n], (), float(np.median(t))) for n, t in times.items()]


def is_full(shape: Tuple[int, ...], full: Tuple[int, int]) -> bool:
    """Whether a layer's output ``(C, H, W)`` has the input's resolution."""
    return tuple(shape[-2:]) == tuple(full)


def summary(layers: List[Layer], full: Tuple[int, int]) -> Dict[str, float]:
    """Total ms; ms of the layers with full-resolution output."""
    total = sum(t for *_, t in layers)
    full_res = sum(t for _, _, s, t in layers if is_full(s, full))
    return dict(total=total, full_res=full_res, lower_res=total - full_res)


def by_operator(layers: List[Layer], full: Tuple[int, int]) -> List[str]:
    """Table rows: operator, output resolution, count, ms (slowest
    first)."""
    acc: Dict[Tuple[str, str], List[float]] = {}
    for _, op, shape, t in layers:
        key = (op, 'full' if is_full(shape, full) else 'lower')
        acc.setdefault(key, [0, 0.0])
        acc[key][0] += 1
        acc[key][1] += t
    return [f'| {op} | {res} | {n} | {t:.3f} |' for (op, res), (n, t)
            in sorted(acc.items(), key=lambda kv: -kv[1][1])]


def render(key: str, r: dict) -> str:
    """The Markdown section of one model's layer timings."""
    name, dirs, rows, sums, whole, call, runs, full, threads = (
        r['name'], r['dirs'], r['rows'], r['sums'], r['whole'], r['call'],
        r['runs'], r['full'], r['threads'])
    lines = [
        f'## Deployment: time per layer, {name}', '',
        f'Exports `{dirs[0]}` (ONNX Runtime) and `{dirs[1]}` (ncnn), batch '
        f'1, {threads} threads (ncnn also 1), one random input, medians '
        f'of {runs} runs. ONNX Runtime: its profiler\'s kernel time per node '
        '(after its layout and fusion passes; its reorders are nodes of '
        'their own). ncnn: each layer computed alone by asking an extractor '
        'for its output, blobs left in ncnn\'s packed layout; each time '
        'includes the call (asking again for the last output, already '
        f'computed, takes {call:.3f} ms), so ncnn\'s sum exceeds its whole '
        'run. Whole model: the deploy runtime\'s `labels()` call, as '
        'benchmarks.deploy times it (ncnn\'s adds unpacking the '
        'logits and the argmax in numpy).', '',
        '| backend | whole model ms | sum of layers ms | layers at full '
        f'resolution ({full[0]}x{full[1]}) ms | lower-resolution layers ms '
        '| layers |', '|---|---|---|---|---|---|']
    for b, v in sums.items():
        lines.append(f'| {b} | {whole[b]:.3f} | {v["total"]:.3f} | '
                     f'{v["full_res"]:.3f} | {v["lower_res"]:.3f} | '
                     f'{len(rows[b])} |')
    one, many = sums['ncnn_1thread'], sums['ncnn']
    lines += [
        '', f'ncnn from 1 to {threads} threads: full-resolution layers '
        f'{one["full_res"] / many["full_res"]:.2f}x faster, lower-'
        f'resolution layers {one["lower_res"] / many["lower_res"]:.2f}x.'
    ]
    for b in ('onnxruntime', 'ncnn'):
        lines += ['', f'{b} ({threads} threads), by operator and output '
                  'resolution:', '', '| operator | resolution | count | ms |',
                  '|---|---|---|---|'] + by_operator(rows[b], full)
    if r.get('openvino'):
        ov = r['openvino']
        acc: Dict[str, List[float]] = {}
        for _, op, _, t in ov['rows']:
            acc.setdefault(op, [0, 0.0])
            acc[op][0] += 1
            acc[op][1] += t
        total = sum(t for _, t in acc.values())
        lines += ['', f'OpenVINO export `{ov["dir"]}` ({ov["precision"]}), '
                  f'batch {ov["batch"]}, {threads} threads: its performance '
                  f'counters per node, medians of {runs} runs; whole batch '
                  f'{ov["whole"]:.3f} ms, sum of nodes {total:.3f} ms. By '
                  'operator (kernel in brackets; `ref` is OpenVINO\'s '
                  'reference code, I8 an int8 kernel):', '',
                  '| operator | count | ms | share |', '|---|---|---|---|']
        lines += [f'| {op} | {n} | {t:.3f} | {100 * t / total:.1f} % |'
                  for op, (n, t) in sorted(acc.items(),
                                           key=lambda kv: -kv[1][1])]
    lines += ['', '<details><summary>onnxruntime, every node</summary>', '',
              '| node | operator | output C x H x W | ms |',
              '|---|---|---|---|']
    lines += [f'| `{n}` | {op} | {"x".join(map(str, s))} | {t:.3f} |'
              for n, op, s, t in rows['onnxruntime']]
    lines += ['', '</details>', '',
              '<details><summary>ncnn, every layer</summary>', '',
              f'| layer | operator | output C x H x W | ms ({threads} '
              'threads) | ms (1 thread) | speedup |',
              '|---|---|---|---|---|---|']
    lines += [f'| `{n}` | {op} | {"x".join(map(str, s))} | {t:.3f} | '
              f'{t1:.3f} | {t1 / t:.2f} |' for (n, op, s, t), (*_, t1)
              in zip(rows['ncnn'], rows['ncnn_1thread'])]
    lines += ['', '</details>']
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('onnxruntime_dir',
                        help='tools/deploy.py work dir of a static ONNX '
                        'Runtime export')
    parser.add_argument('ncnn_dir', help='work dir of the ncnn export of '
                        'the same checkpoint')
    parser.add_argument('--name', required=True,
                        help='model name for the docs section and keys')
    parser.add_argument('--openvino', metavar='DIR',
                        help='also profile this OpenVINO export (of any '
                        'precision) node by node at --batch')
    parser.add_argument('--batch', type=int, default=64,
                        help='batch size of the OpenVINO profile')
    parser.add_argument('--runs', type=int, default=200)
    parser.add_argument('--docs', default=DOCS)
    args = parser.parse_args(argv)
    models = dict(onnxruntime=DeployedModel(args.onnxruntime_dir),
                  ncnn=DeployedModel(args.ncnn_dir))
    for backend, model in models.items():
        if model.backend != backend:
            parser.error(f'{model.work_dir} holds a {model.backend} export, '
                         f'not {backend}')
    models['ncnn_1thread'] = DeployedModel(args.ncnn_dir)
    models['ncnn_1thread'].net = NcnnBackend(*models['ncnn'].files,
                                             threads=1)
    shape = models['onnxruntime'].input_shape
    if None in shape or models['ncnn'].input_shape != shape:
        parser.error(f'need static exports of one input shape, got '
                     f'{shape} and {models["ncnn"].input_shape}')
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    whole = {b: 1e3 * timed(lambda m=m: m.labels(x), args.runs)
             for b, m in models.items()}
    rows, call = {}, 0.0
    with tempfile.TemporaryDirectory() as tmp:
        rows['onnxruntime'] = ort_layers(models['onnxruntime'], x, args.runs,
                                         tmp)
    for b in ('ncnn', 'ncnn_1thread'):
        rows[b], call = ncnn_layers(models[b].net, x, args.runs)
    full = tuple(shape[2:])
    sums = {b: summary(layers, full) for b, layers in rows.items()}
    results = dict(name=args.name, dirs=[args.onnxruntime_dir, args.ncnn_dir],
                   rows=rows, sums=sums, whole=whole, call=call,
                   runs=args.runs, full=full, threads=THREADS)
    if args.openvino:
        ov = DeployedModel(args.openvino)
        if ov.backend != 'openvino':
            parser.error(f'{args.openvino} holds a {ov.backend} export, not '
                         'openvino')
        xb = np.repeat(x, args.batch, axis=0)
        results['openvino'] = dict(
            dir=args.openvino, precision=ov.precision, batch=args.batch,
            whole=1e3 * timed(lambda: ov.labels(xb), args.runs),
            rows=openvino_layers(ov, xb, args.runs))
    key = f'deploy_layers.{args.name}'
    figures = {f'{key}.{b}.{k}_ms': round(v, 4)
               for b, s in sums.items() for k, v in s.items()}
    figures.update({f'{key}.{b}.whole_ms': round(v, 4)
                    for b, v in whole.items()})
    save({key: dict(benchmark='deploy_layers', results=results)}, figures,
         command('deploy_layers', sys.argv[1:] if argv is None else argv),
         prefixes=[key], docs=args.docs)
    print(render(key, results))


if __name__ == '__main__':
    main()
