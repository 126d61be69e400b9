"""Training curves of one or more runs from their logged scalars.

    python tools/analysis_tools/analyze_logs.py work_dirs/m2nist_fastscnn
    # runs side by side, chosen keys, another output
    python tools/analysis_tools/analyze_logs.py work_dirs/a work_dirs/b \\
        --train-keys loss decode.loss_ce --val-keys digit_mIoU IoU.8 \\
        --out work_dirs/analysis/seeds.png

Each run is a work dir (its ``scalars.json`` files in time order, so a
resumed run continues its curve) or one ``scalars.json``; training scalars
are drawn against the iteration, validation ones against the validation
step (docs/visualization.md).
"""
import argparse
import glob
import json
import os
import os.path as osp
import sys
from typing import Dict, List, Optional, Tuple

#: Validation keys, the first one a run logged is drawn by default.
DEFAULT_VAL_KEYS = ('digit_mIoU', 'coco/bbox_mAP', 'mIoU')
Curve = Dict[str, Tuple[List[float], List[float]]]


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('runs', nargs='+',
                        help='work dirs or scalars.json files')
    parser.add_argument('--train-keys', nargs='+', default=['loss'])
    parser.add_argument('--val-keys', nargs='+',
                        help=f'default: the first of {DEFAULT_VAL_KEYS}')
    parser.add_argument('--out', default='work_dirs/analysis/curves.png')
    return parser.parse_args(argv)


def scalar_files(run: str) -> List[str]:
    """The ``scalars.json`` files of a run, oldest first."""
    if osp.isfile(run):
        return [run]
    files = sorted(glob.glob(osp.join(run, '*', 'vis_data', 'scalars.json')))
    if not files:
        raise FileNotFoundError(f'{run}: no <timestamp>/vis_data/'
                                'scalars.json (not a training work dir?)')
    return files


def read_run(run: str) -> Tuple[List[dict], List[dict]]:
    """The run's training records (with ``iter``) and validation records
    (the others), later records replacing earlier ones of the same step."""
    train, val = {}, {}
    for path in scalar_files(run):
        with open(path) as f:
            for n, line in enumerate(f, 1):
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as e:
                    raise ValueError(f'{path}, line {n}: not JSON ({e})') \
                        from None
                if not isinstance(rec, dict) or 'step' not in rec:
                    raise ValueError(f'{path}, line {n}: not a scalar '
                                     'record (no "step")')
                (train if 'iter' in rec else val)[rec['step']] = rec
    return ([train[k] for k in sorted(train)], [val[k] for k in sorted(val)])


def curves(records: List[dict], keys: List[str], run: str,
           what: str) -> Curve:
    """``{key: (steps, values)}``; a key no record has is an error."""
    out = {}
    for key in keys:
        points = [(r['step'], r[key]) for r in records if key in r]
        if not points:
            logged = sorted({k for r in records for k in r} -
                            {'step', 'iter', 'epoch'})
            raise KeyError(f'{run}: no {what} scalar {key!r}; logged: '
                           f'{", ".join(logged) or "none"}')
        out[key] = ([p[0] for p in points], [p[1] for p in points])
    return out


def plot(runs: Dict[str, Tuple[Curve, Curve]], out: str) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for name, (train, val) in runs.items():
        for key, (x, y) in train.items():
            left.plot(x, y, label=f'{name}: {key}', linewidth=1)
        for key, (x, y) in val.items():
            right.plot(x, y, marker='o', markersize=3,
                       label=f'{name}: {key} (last {y[-1]:.2f})')
    left.set_xlabel('iteration')
    left.set_title('training')
    left.set_yscale('log')
    right.set_xlabel('validation step (iteration or epoch)')
    right.set_title('validation')
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    runs = {}
    try:
        for run in args.runs:
            train, val = read_run(run)
            val_keys = args.val_keys or [
                k for k in DEFAULT_VAL_KEYS if any(k in r for r in val)][:1]
            if not val_keys:
                raise KeyError(f'{run}: no validation scalars logged')
            name = osp.basename(osp.normpath(run))
            runs[name if name not in runs else run] = (
                curves(train, args.train_keys, run, 'training'),
                curves(val, val_keys, run, 'validation'))
    except (FileNotFoundError, KeyError, ValueError) as e:
        print(f'error: {e.args[0] if isinstance(e, KeyError) else e}',
              file=sys.stderr)
        return 1
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    plot(runs, args.out)
    for name, (_, val) in runs.items():
        last = {k: y[-1] for k, (_, y) in val.items()}
        best = {k: max(y) for k, (_, y) in val.items()}
        print(f'{name}: last {last}, best {best}')
    print(f'-> {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
