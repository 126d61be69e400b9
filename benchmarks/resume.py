"""Exact resume: a training run killed after a checkpoint and continued
with ``--resume`` ends where the uninterrupted run ends, bit for bit.

    python -m benchmarks.resume [--model fastscnn] [--iters 200]

Trains the model's config on M2NIST for ``--iters`` iterations (validation
and a checkpoint every half of them) twice: once uninterrupted, once
killed with SIGKILL a few seconds after its first checkpoint is on disk
and then continued with ``tools/train.py --resume``. Compares the final
weights, EMA weights, optimizer state, scheduler state and last validation
metrics. Records ``resume.exact`` (true when all are identical) and
``resume.max_abs_weight_diff``.
"""
import argparse
import glob
import json
import os
import os.path as osp
import shutil
import signal
import subprocess
import sys
import time
from typing import List, Optional

from .record import DOCS, REPO, command, save
from .runner import run


def _train_cmd(config: str, work: str, iters: int) -> List[str]:
    half = iters // 2
    return [
        sys.executable, 'tools/train.py', config, '--work-dir', work,
        '--cfg-options', f'train_cfg.max_iters={iters}',
        f'train_cfg.val_interval={half}', 'train_cfg.dynamic_intervals=None',
        f'default_hooks.checkpoint.interval={half}'
    ]


def kill_after_checkpoint(cmd: List[str], work: str, checkpoint: str,
                          delay: float) -> None:
    """Run ``cmd``; SIGKILL it ``delay`` seconds after ``last_checkpoint``
    names ``checkpoint`` (the checkpoint is then fully written)."""
    print('+', ' '.join(cmd), '(killed after', checkpoint + ')', flush=True)
    proc = subprocess.Popen(cmd, cwd=REPO, start_new_session=True)
    marker = osp.join(REPO, work, 'last_checkpoint')
    while proc.poll() is None:
        if osp.exists(marker) and open(marker).read().strip().endswith(
                checkpoint):
            time.sleep(delay)
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return
        time.sleep(0.2)
    raise RuntimeError(f'{cmd} ended (rc {proc.returncode}) before '
                       f'{checkpoint} was written')


def compare(a_path: str, b_path: str) -> dict:
    """Largest differences between two checkpoints' states."""
    import torch
    a, b = (torch.load(p, map_location='cpu', weights_only=False)
            for p in (a_path, b_path))
    diffs = {}
    for key in ('state_dict', 'ema_state_dict'):
        if a[key].keys() != b[key].keys():
            raise ValueError(f'{key}: the checkpoints hold other tensors')
        diffs[key] = max(
            (a[key][n].double() - b[key][n].double()).abs().max().item()
            for n in a[key])
    diffs['optimizer'] = max(
        (v.double() - b['optimizer']['state'][i][n].double()).abs().max()
        .item() for i, s in a['optimizer']['state'].items()
        for n, v in s.items() if torch.is_tensor(v))
    diffs['schedulers_equal'] = a['param_schedulers'] == b['param_schedulers']
    return diffs


def last_val(work: str) -> dict:
    """The last validation's metrics in the run's ``scalars.json`` files."""
    rows = []
    for path in sorted(glob.glob(osp.join(work, '*', 'vis_data',
                                          'scalars.json'))):
        with open(path) as f:
            rows += [json.loads(line) for line in f if 'digit_mIoU' in line]
    return {k: v for k, v in rows[-1].items() if 'time' not in k}


def render(key: str, results: dict) -> str:
    """The Markdown section of a resume check."""
    d = results['diffs']
    return '\n'.join([
        '## Exact resume', '',
        f'`configs/m2nist_{results["model"]}.py` for {results["iters"]} '
        'iterations, once uninterrupted and once killed (SIGKILL) '
        f'{results["delay"]} s after its iteration-{results["iters"] // 2} '
        'checkpoint, then continued with `--resume`. Largest absolute '
        'difference at the end:', '',
        '| weights | EMA weights | optimizer state | schedulers equal | '
        'last validation equal | exact |', '|---|---|---|---|---|---|',
        f'| {d["state_dict"]:g} | {d["ema_state_dict"]:g} | '
        f'{d["optimizer"]:g} | {d["schedulers_equal"]} | '
        f'{results["metrics_equal"]} | {results["exact"]} |', '',
        'Commands run:', ''
    ] + [f'- `{c}`' for c in results['commands']])


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--model', default='fastscnn',
                        choices=['fastscnn', 'unet'])
    parser.add_argument('--iters', type=int, default=200,
                        help='at least twice the 100-iteration warm-up')
    parser.add_argument('--delay', type=float, default=3.0,
                        help='seconds between the checkpoint and the kill')
    parser.add_argument('--work-root', default='work_dirs/benchmark_resume',
                        help='relative to the checkout')
    parser.add_argument('--docs', default=DOCS)
    args = parser.parse_args(argv)
    config = f'configs/m2nist_{args.model}.py'
    whole = osp.join(args.work_root, 'whole')
    killed = osp.join(args.work_root, 'killed')
    shutil.rmtree(osp.join(REPO, args.work_root), ignore_errors=True)
    whole_cmd = _train_cmd(config, whole, args.iters)
    run(whole_cmd, REPO)
    killed_cmd = _train_cmd(config, killed, args.iters)
    kill_after_checkpoint(killed_cmd, killed, f'iter_{args.iters // 2}.pth',
                          args.delay)
    run(killed_cmd + ['--resume'], REPO)
    final = f'iter_{args.iters}.pth'
    diffs = compare(osp.join(REPO, whole, final),
                    osp.join(REPO, killed, final))
    metrics_equal = last_val(osp.join(REPO, whole)) == last_val(
        osp.join(REPO, killed))
    exact = (diffs['state_dict'] == diffs['ema_state_dict'] ==
             diffs['optimizer'] == 0 and diffs['schedulers_equal']
             and metrics_equal)
    results = dict(model=args.model, iters=args.iters, delay=args.delay,
                   diffs=diffs, metrics_equal=metrics_equal, exact=exact,
                   commands=[' '.join(c[1:]) for c in (
                       whole_cmd, killed_cmd, killed_cmd + ['--resume'])])
    save({'resume': dict(benchmark='resume', results=results)},
         {'resume.exact': exact,
          'resume.max_abs_weight_diff': diffs['state_dict']},
         command('resume', sys.argv[1:] if argv is None else argv),
         prefixes=['resume'], docs=args.docs)
    print(render('resume', results))


if __name__ == '__main__':
    main()
