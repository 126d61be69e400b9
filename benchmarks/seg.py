"""Segmentation benchmark: train and test each model, track and seed, and
record the figures (what and under which keys: docs/benchmarking.md).

    python -m benchmarks.seg --models fastscnn unet \
        --tracks mnist_extra m2nist --seeds 0 1 2 [--amp]
"""
import argparse
import glob
import json
import os.path as osp
import shutil
import sys
from typing import List, Optional, Sequence

from .record import DOCS, REPO, command, save
from .report import table
from .runner import iteration_times, last_checkpoint, run, train_run, val_curve


def count_params(config: str) -> int:
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmseg.registry import MODELS
    init_default_scope('mmseg')
    model = MODELS.build(Config.fromfile(config).model)
    return sum(p.numel() for p in model.parameters())


#: The held-out set: 1000 images of the M2NIST recipe over MNIST t10k
#: digits that no M2NIST image holds, this generator seed.
HELDOUT = dict(images=1000, seed=2026)
#: Training tracks and the config of each (``{model}`` filled in).
TRACKS = dict(mnist_extra='configs/m2nist_{model}.py',
              m2nist='configs/m2nist_{model}_m2nist-only.py')


def heldout_set(args: argparse.Namespace) -> str:
    """The held-out set's folder, generated on first use."""
    out = osp.join(args.work_root, 'heldout_t10k_m2nist-free')
    if not osp.isfile(osp.join(out, 'segmented.npy')):
        run([sys.executable, 'tools/generate_m2nist.py', out, '--mnist',
             args.mnist, '--splits', f'test={HELDOUT["images"]}', '--seed',
             str(HELDOUT['seed']), '--avoid-m2nist', 'all', '--no-progress',
             '--overwrite'], REPO)
    return out


def test_metrics(test_cmd: List[str], test_dir: str) -> dict:
    """Run a ``tools/test.py`` command; the metrics it wrote."""
    run(test_cmd, REPO)
    result = sorted(glob.glob(osp.join(test_dir, '*', '*.json')))[-1]
    with open(result) as f:
        return json.load(f)


def bench(model: str, seed: int, args: argparse.Namespace,
          options: Sequence[str] = (), work: Optional[str] = None,
          track: str = 'mnist_extra') -> dict:
    """Train, test and evaluate on the held-out set one model and seed
    (``options``: more ``--cfg-options`` for training; ``work`` default
    ``<work_root>/<model>/<track>/seed<seed>``): the run's figures,
    validation curve and commands."""
    config = TRACKS[track].format(model=model)
    work = work or osp.join(args.work_root, model, track, f'seed{seed}')
    # an earlier run's checkpoints must not be taken for this run's
    shutil.rmtree(osp.join(REPO, work), ignore_errors=True)
    train_cmd = [
        sys.executable, 'tools/train.py', config, '--work-dir', work,
        '--cfg-options', f'randomness.seed={seed}', *options
    ]
    if args.amp:
        train_cmd.append('--amp')
    test_dir = osp.join(work, 'test')
    log, t0, t_end = train_run(train_cmd, work, REPO)
    train_minutes = (t_end - t0) / 60
    curve = [(i, m, v['digit_mIoU']) for i, m, v in val_curve(log, t0)]
    checkpoint = last_checkpoint(work)
    test_cmd = [sys.executable, 'tools/test.py', config, checkpoint,
                '--work-dir', test_dir]
    metrics = test_metrics(test_cmd, test_dir)
    heldout_dir = osp.join(work, 'heldout')
    heldout_cmd = [
        sys.executable, 'tools/test.py', config, checkpoint, '--work-dir',
        heldout_dir, '--cfg-options',
        f'test_dataloader.dataset.data_root={heldout_set(args)}',
        'test_dataloader.dataset.split=all'
    ]
    heldout = test_metrics(heldout_cmd, heldout_dir)
    reached = {t: [m for _, m, d in curve if d >= t] for t in (90.0, 95.0)}
    iter_time, data_share = iteration_times(work)
    return dict(
        model=model, track=track, seed=seed,
        digit_miou=metrics['digit_mIoU'], miou=metrics['mIoU'],
        heldout_digit_miou=heldout['digit_mIoU'],
        params=count_params(osp.join(REPO, config)),
        minutes_to_90=round(reached[90.0][0], 2) if reached[90.0] else None,
        minutes_to_95=round(reached[95.0][0], 2) if reached[95.0] else None,
        train_minutes=round(train_minutes, 2),
        data_time_share=round(data_share, 2),
        iter_time=round(iter_time, 3),
        checkpoint=checkpoint,
        per_class={k[4:]: v for k, v in metrics.items()
                   if k.startswith('IoU.')},
        curve=curve,
        commands=[' '.join(c[1:]) for c in (train_cmd, test_cmd, heldout_cmd)])


KEYS = ('digit_miou', 'miou', 'heldout_digit_miou', 'params',
        'minutes_to_90', 'minutes_to_95', 'train_minutes', 'data_time_share')
#: Keys (under seg.<model>) of the runs and figures before there were
#: tracks, dropped when the model's m2nist track is measured again.
LEGACY = ('', 'seeds') + KEYS + tuple(f'seed{s}.{k}' for s in (0, 1)
                                      for k in KEYS)
WORST = dict(digit_miou=min, miou=min, heldout_digit_miou=min, params=max,
             minutes_to_90=max, minutes_to_95=max, train_minutes=max,
             data_time_share=max)


def worst(runs: List[dict]) -> dict:
    """The figures of a model over its seeds: worst of each (None wins)."""
    out = {}
    for key in KEYS:
        values = [r.get(key) for r in runs]
        out[key] = None if None in values else WORST[key](values)
    return out


def write_results(results: List[dict], docs: str, cmd: str) -> None:
    """Runs and figures of each model and track benchmarked (replacing
    their old ones)."""
    runs, figures = {}, {}
    groups = list(dict.fromkeys((r['model'], r['track']) for r in results))
    for model, track in groups:
        seeds = [r for r in results
                 if (r['model'], r['track']) == (model, track)]
        key = f'seg.{model}.{track}'
        for name, value in worst(seeds).items():
            figures[f'{key}.{name}'] = value
        scores = [r['digit_miou'] for r in seeds]
        figures[f'{key}.seed_spread'] = round(max(scores) - min(scores), 4)
        figures[f'{key}.seeds'] = [r['seed'] for r in seeds]
        for r in seeds:
            for name in KEYS:
                figures[f'{key}.seed{r["seed"]}.{name}'] = r.get(name)
        runs[key] = dict(benchmark='seg', results=dict(runs=seeds))
    # the old figures were the m2nist track's: replaced when it is measured
    legacy = [f'seg.{m}.{k}'.rstrip('.') for m, t in groups
              if t == 'm2nist' for k in LEGACY]
    save(runs, figures, cmd, prefixes=list(runs), docs=docs, drop=legacy)


def trained_config(run: dict) -> str:
    """The config a recorded run trained (from its train command)."""
    train = next(c for c in run['commands'] if c.startswith('tools/train.py'))
    return train.split()[1]


def which_checkpoint(run: dict) -> str:
    """Which checkpoint a recorded run tested."""
    if 'checkpoint' in run:
        return 'the last checkpoint (the end of the schedule)'
    return 'the best checkpoint on the validation split (4000-4499)'


def render(key: str, results: dict) -> str:
    """The Markdown section of one model's results (one row per seed)."""
    runs = results['runs']
    model, track = runs[0]['model'], runs[0].get('track')
    # runs recorded before the tracks: M2NIST only, and a held-out set
    # drawn from any t10k digits
    heldout = ('that no M2NIST image holds' if track else
               'of an earlier held-out set, some of them in M2NIST images')
    lines = [
        f'## Segmentation: {model} on M2NIST' +
        (f', track {track}' if track else ''), '',
        f'Config `{trained_config(runs[0])}`. '
        f'Test split (images 4500-4999) with {which_checkpoint(runs[0])}. '
        'Minutes are wall-clock from the start '
        'of the train command, validation included; "data" is the share of '
        'iteration time spent waiting for data (mmengine `data_time` / '
        '`time`); "s/iter" is the mean training iteration time. Held-out: '
        f'digit mIoU on {HELDOUT["images"]} images the generator draws with '
        f'the M2NIST recipe from MNIST t10k digits {heldout} (seed '
        f'{HELDOUT["seed"]}).', ''
    ] + table(
        ['model', 'seed', 'params', 'digit mIoU', 'held-out digit mIoU',
         'mIoU', 'minutes to 90 % / 95 % (val)', 'train minutes', 's/iter',
         'data'],
        [[model, r['seed'], f'{r["params"] / 1e6:.2f} M',
          f'{r["digit_miou"]:.2f}', f'{r["heldout_digit_miou"]:.2f}',
          f'{r["miou"]:.2f}',
          f'{r["minutes_to_90"]} / {r.get("minutes_to_95")}',
          f'{r["train_minutes"]:.1f}', f'{r["iter_time"]:.2f}',
          f'{r["data_time_share"]:.1f} %'] for r in runs])
    for r in runs:
        lines += ['', f'Seed {r["seed"]}, commands run:', '']
        lines += [f'- `{c}`' for c in r['commands']]
        lines += [''] + table(
            ['class', *r['per_class']],
            [['IoU', *(f'{v:.2f}' for v in r['per_class'].values())]])
        lines += ['', 'Validation curve (iteration: minutes, digit mIoU): ' +
                  ', '.join(f'{i}: {m:.1f} min, {d:.2f}'
                            for i, m, d in r['curve'])]
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--models', nargs='+', default=['fastscnn', 'unet'],
                        choices=['fastscnn', 'unet'])
    parser.add_argument('--tracks', nargs='+', default=['mnist_extra'],
                        choices=list(TRACKS))
    parser.add_argument('--seeds', nargs='+', type=int, default=[0],
                        help='train each model once per seed '
                        '(randomness.seed)')
    parser.add_argument('--amp', action='store_true',
                        help='train with --amp (bfloat16 autocast on CPU)')
    # relative: the tools run in the repository, and the recorded commands
    # name no folder of the machine they ran on
    parser.add_argument('--mnist', default='data/mnist',
                        help='MNIST IDX files (the held-out set is drawn '
                        'from t10k; relative to the repository)')
    parser.add_argument('--work-root', default='work_dirs/benchmark_seg')
    parser.add_argument('--docs', default=DOCS)
    args = parser.parse_args(argv)
    results = []
    for m in args.models:
        for t in args.tracks:
            results += [bench(m, s, args, track=t) for s in args.seeds]
    write_results(results, args.docs,
                  command('seg', sys.argv[1:] if argv is None else argv))
    for r in results:
        print({k: v for k, v in r.items() if k not in ('curve', 'per_class')})


if __name__ == '__main__':
    main()
