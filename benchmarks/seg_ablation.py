"""What each part of the FastSCNN recipe buys: the config trained with one
part changed or removed, tested like ``benchmarks.seg``.

    python -m benchmarks.seg_ablation [--variants no_warp no_elastic ...]

Each variant is ``configs/m2nist_fastscnn.py`` with the ``--cfg-options``
listed in :data:`VARIANTS`, trained with seed 0 and tested on the test
split with its best validation checkpoint; the unchanged config is the
``seg`` benchmark's seed-0 run (``seg.fastscnn.seed0.*``). Records
``ablation.fastscnn.<variant>.{digit_miou,heldout_digit_miou,train_minutes,
minutes_to_95}``.
"""
import argparse
import os.path as osp
import sys
from typing import List, Optional

from .record import DOCS, REPO, command, save
from .seg import bench

#: The training pipeline's RandomDigitWarp, as --cfg-options addresses it.
WARP = 'train_dataloader.dataset.pipeline.2'
#: variant -> (what it changes, --cfg-options)
VARIANTS = {
    'no_warp': ('no per-digit rotation/scale/shear/elastic distortion',
                [f'{WARP}.prob=0.0']),
    'no_elastic': ('per-digit affine distortion only, no elastic field',
                   [f'{WARP}.elastic_alpha=0.0']),
    'ema_fixed_momentum': ('EMA momentum 0.01 from the first iteration '
                           '(not annealed from 1)',
                           ['custom_hooks.0.gamma=0.0001']),
    'iters_3000': ('3000 iterations instead of 2000',
                   ['train_cfg.max_iters=3000']),
}
FIGURES = ('digit_miou', 'heldout_digit_miou', 'minutes_to_95',
           'train_minutes')


def render(key: str, results: dict) -> str:
    """The Markdown section of an ablation run."""
    lines = [
        '## Segmentation: what each part of the FastSCNN recipe buys', '',
        '`configs/m2nist_fastscnn.py` with one part changed, seed 0, best '
        'validation checkpoint on the test split (the full recipe is the '
        'seed-0 row of the FastSCNN section). Minutes are wall clock on this '
        'machine, from the start of the train command.', '',
        '| variant | change | digit mIoU | held-out digit mIoU | minutes to '
        '95 % (val) | train minutes | options |', '|---' * 7 + '|'
    ]
    for r in results['runs']:
        lines.append(
            f'| {r["variant"]} | {VARIANTS[r["variant"]][0]} | '
            f'{r["digit_miou"]:.2f} | {r["heldout_digit_miou"]:.2f} | '
            f'{r["minutes_to_95"]} | {r["train_minutes"]:.1f} | `' +
            ' '.join(VARIANTS[r['variant']][1]) + '` |')
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--variants', nargs='+', default=list(VARIANTS),
                        choices=list(VARIANTS))
    parser.add_argument('--mnist', default=osp.join(REPO, 'data', 'mnist'),
                        help='MNIST IDX files (the held-out set)')
    parser.add_argument('--work-root', default='work_dirs/benchmark_ablation')
    parser.add_argument('--docs', default=DOCS)
    args = parser.parse_args(argv)
    args.amp = False
    runs = []
    for variant in args.variants:
        run = bench('fastscnn', 0, args, VARIANTS[variant][1],
                    osp.join(args.work_root, variant))
        runs.append(dict(variant=variant,
                         **{k: run[k] for k in FIGURES},
                         commands=run['commands'], curve=run['curve']))
    figures = {f'ablation.fastscnn.{r["variant"]}.{k}': r[k]
               for r in runs for k in FIGURES}
    save({'ablation.fastscnn': dict(benchmark='seg_ablation',
                                    results=dict(runs=runs))},
         figures, command('seg_ablation', sys.argv[1:] if argv is None
                          else argv),
         prefixes=['ablation.fastscnn'], docs=args.docs)
    print(render('ablation.fastscnn', dict(runs=runs)))


if __name__ == '__main__':
    main()
