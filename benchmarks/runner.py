"""What every benchmark shares: running train/test commands, reading
their logs, timing calls."""
import glob
import json
import os.path as osp
import re
import shlex
import subprocess
import time
from datetime import datetime
from typing import Callable, Dict, List, Tuple

import numpy as np

STAMP = '%Y/%m/%d %H:%M:%S'
# "Iter(val) [10/10]  aAcc: ..." (iteration loops) or
# "Epoch(val) [5][10/10]  coco/bbox_mAP: ..." (epoch loops)
VAL_LINE = re.compile(r'^(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d) - mmengine - INFO - '
                      r'(?:Iter|Epoch)\(val\) (?:\[(\d+)\])?\[\s*\d+/\d+\]'
                      r'\s+(.*)$')
TRAIN_ITER = re.compile(r'Iter\(train\) \[\s*(\d+)/')


def run(cmd: List[str], cwd: str) -> float:
    """Run ``cmd`` (echoed) in ``cwd``; its start time."""
    print('+', ' '.join(shlex.quote(c) for c in cmd), flush=True)
    t0 = time.time()
    subprocess.run(cmd, cwd=cwd, check=True)
    return t0


def parse_metrics(text: str) -> Dict[str, float]:
    """``name: value`` pairs of an mmengine log line."""
    return {k: float(v) for k, v in re.findall(r'([\w./]+): (-?[\d.]+|nan)',
                                               text)}


def _val_steps(log: str) -> List[int]:
    """Iterations of the validations, from mmengine's ``scalars.json``
    beside the log (its text log only names the last logged iteration)."""
    path = osp.join(osp.dirname(log), 'vis_data', 'scalars.json')
    if not osp.exists(path):
        return []
    with open(path) as f:
        records = [json.loads(line) for line in f if line.strip()]
    return [r['step'] for r in records if 'lr' not in r]


def val_curve(log: str, t0: float) -> List[Tuple[int, float, dict]]:
    """(iteration or epoch, minutes since ``t0``, metrics) per validation."""
    curve, it, by_iter = [], 0, True
    with open(log) as f:
        for line in f:
            m = TRAIN_ITER.search(line)
            if m:
                it = int(m.group(1))
            m = VAL_LINE.match(line)
            if m:
                ts = datetime.strptime(m.group(1), STAMP).timestamp()
                by_iter &= not m.group(2)
                step = int(m.group(2)) if m.group(2) else it
                curve.append((step, (ts - t0) / 60, parse_metrics(m.group(3))))
    steps = _val_steps(log)
    if by_iter and len(steps) == len(curve):
        curve = [(s, m, v) for s, (_, m, v) in zip(steps, curve)]
    return curve


def iteration_times(work_dir: str) -> Tuple[float, float]:
    """(mean seconds per training iteration, % of it waiting for data)."""
    path = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                     'scalars.json')))[-1]
    rows = [json.loads(line) for line in open(path)]
    rows = [r for r in rows if 'data_time' in r][1:]  # skip warm-up window
    total = sum(r['time'] for r in rows)
    return total / len(rows), 100 * sum(r['data_time'] for r in rows) / total


def train_run(train_cmd: List[str], work_dir: str,
              cwd: str) -> Tuple[str, float, float]:
    """Run a train command: (its log, start, end)."""
    t0 = run(train_cmd, cwd)
    t_end = time.time()
    log = sorted(glob.glob(osp.join(work_dir, '*', '*.log')))[-1]
    return log, t0, t_end


def last_checkpoint(work_dir: str) -> str:
    """The checkpoint a training run in ``work_dir`` saved last (mmengine's
    ``last_checkpoint`` file), as a path relative to the current folder.

    Raises:
        FileNotFoundError: No training run saved a checkpoint there.
    """
    marker = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(marker):
        raise FileNotFoundError(f'{work_dir}: no checkpoint (no '
                                'last_checkpoint file)')
    with open(marker) as f:
        return osp.relpath(f.read().strip())


def seg_checkpoint(model: str) -> str:
    """The checkpoint of benchmarks.seg's seed-0 run of the mnist_extra
    track (the models the README's main job trains)."""
    try:
        return last_checkpoint(
            f'work_dirs/benchmark_seg/{model}/mnist_extra/seed0')
    except FileNotFoundError:
        raise FileNotFoundError(f'no checkpoint for {model}: run '
                                'python -m benchmarks.seg or name one')


def timed(fn: Callable[[], object], repeats: int) -> float:
    """Median seconds of ``fn`` over ``repeats`` runs after 3 warm-ups."""
    for _ in range(3):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))
