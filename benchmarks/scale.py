"""Scale-generalisation benchmark: digit mIoU at 17 digit scales, 1/2 to 8.

Test sets: M2NIST-style images (digits from MNIST t10k) generated at each
scale 2^(k/4), k = -4..12 (``m2nist_core.datagen.scale_sets``; fewer images
above scale 1, see ``scale_counts``). Models: each segmenter trained at
scale 1 (``configs/m2nist_<model>.py``) and at scales 1-4 mixed
(``configs/m2nist_<model>_mixscale.py``). Variants:

- ``baseline``: the scale-1 model, single-scale inference;
- ``channels``: the scale-1 model with scale channels (run on the image
  rescaled by each of ``--factors``, fused by ``--fusion``;
  ``m2nist_mm.apis.scale_channels``);
- ``mixscale``: the mixed-scale model, single-scale inference;
- ``normalised``: the scale-1 model on each image rescaled so that its
  digits' measured height is the M2NIST one
  (``m2nist_mm.apis.scale_norm``);
- ``improved``: ``normalised`` with the ink rule (pixels of value 0 are
  background, the others get their most probable digit class, as M2NIST's
  masks are defined);
- ``select``: the scale-1 model as a scale-channel network that selects,
  per image, the channel most confident about its digits
  (``configs/m2nist_<model>_scale-select.py``, no rule about the ink).

Missing models are trained (``tools/train.py``, then ``tools/test.py`` on
the M2NIST test split) into ``--work-root``; ``--checkpoint
MODEL.TRAINING=PATH`` (TRAINING: scale1 or mixscale) uses a trained one.
Writes a table per model to docs/benchmarks.md, a plot
``docs/scale_<model>.png`` and the keys ``scale.<model>.<variant>.*``.

    python -m benchmarks.scale --models fastscnn --checkpoint \\
        fastscnn.scale1=work_dirs/m2nist_fastscnn/best_digit_mIoU_iter_2750.pth
"""
import argparse
import glob
import os
import os.path as osp
import sys
import time
from typing import Dict, List, Optional, Sequence

import numpy as np

from m2nist_core.datagen.scale_sets import make_scale_sets, scale_counts
from m2nist_core.datagen.scales import SCALES
from .record import DOCS, REPO, command, save
from .runner import run, train_run

#: variant -> (training, inference)
VARIANTS = dict(baseline=('scale1', 'single'), channels=('scale1', 'channels'),
                mixscale=('mixscale', 'single'),
                normalised=('scale1', 'normalised'),
                improved=('scale1', 'normalised+ink'),
                select=('scale1', 'select'))
VARIANT_TEXT = dict(
    baseline='scale-1 model', channels='scale-1 model with scale channels',
    mixscale='model trained at scales 1-4 mixed',
    normalised='scale-1 model on each image rescaled to the M2NIST digit '
    'height measured on its ink',
    improved='normalised, and the ink rule (value-0 pixels background, '
    'the others their most probable digit)',
    select='scale-1 model with half-octave scale channels, 2 to 1/8, '
    'each image read by its most confident channel')
CONFIGS = dict(scale1='configs/m2nist_{}.py',
               mixscale='configs/m2nist_{}_mixscale.py')
#: inference -> the config that runs it (default: the training's config)
INFERENCE_CONFIGS = dict(select='configs/m2nist_{}_scale-select.py')
#: the targets: >= 90 % of the scale-1 figure from 1/2 to 4, 80 % to 8
TARGET_RANGE = (0.5, 4.0)
WIDE_RANGE = (0.5, 8.0)


def scale_key(scale: float) -> str:
    return f'{scale:.3f}'


def checkpoint(model: str, training: str, args: argparse.Namespace) -> str:
    """The given checkpoint, or the best one of a training run in
    ``--work-root`` (trained first when there is none)."""
    given = dict(c.split('=', 1) for c in args.checkpoint)
    if f'{model}.{training}' in given:
        path = given[f'{model}.{training}']
        if not osp.isfile(path):
            raise FileNotFoundError(f'--checkpoint {model}.{training}: no '
                                    f'file {path}')
        return path
    config = CONFIGS[training].format(model)
    work = osp.join(args.work_root, model, training)
    cmd = [sys.executable, 'tools/train.py', config, '--work-dir', work]
    if args.amp:
        cmd.append('--amp')
    pattern = osp.join(work, 'best_digit_mIoU_iter_*.pth')
    if not glob.glob(pattern):
        train_run(cmd, work, REPO)
        best = sorted(glob.glob(pattern))[-1]
        run([sys.executable, 'tools/test.py', config, best, '--work-dir',
             osp.join(work, 'test')], REPO)
    return sorted(glob.glob(pattern))[-1]


def evaluate(model: str, variant: str, sets: Sequence[str],
             args: argparse.Namespace) -> Dict:
    """Digit mIoU of one variant on every scale set, and its seconds."""
    from mmseg.apis import init_model

    from m2nist_mm.apis.scale_channels import predict_scales
    from m2nist_mm.apis.scale_norm import predict_normalised
    from m2nist_mm.datasets.m2nist import M2NISTDataset
    from m2nist_mm.evaluation import class_map_metrics
    training, inference = VARIANTS[variant]
    ckpt = checkpoint(model, training, args)
    config = INFERENCE_CONFIGS.get(inference, CONFIGS[training])
    net = init_model(osp.join(REPO, config.format(model)), ckpt,
                     device='cpu')
    classes = M2NISTDataset.METAINFO['classes']
    factors = tuple(args.factors) if inference == 'channels' else (1.0, )
    t0 = time.time()
    figures, ms = {}, {}
    for scale, folder in zip(args.scales, sets):
        t_set = time.perf_counter()
        images = np.load(osp.join(folder, 'combined.npy'))
        labels = np.load(osp.join(folder, 'segmented.npy'))
        if inference.startswith('normalised'):
            preds = predict_normalised(net, images,
                                       classes.index('background'),
                                       ink_rule=inference.endswith('+ink'))
        else:
            preds = predict_scales(net, images, factors, args.fusion)
        ms[scale_key(scale)] = round(
            1000 * (time.perf_counter() - t_set) / len(images), 2)
        figures[scale_key(scale)] = class_map_metrics(preds, labels,
                                                      classes)['digit_mIoU']
    return dict(digit_miou=figures, checkpoint=osp.relpath(ckpt, REPO),
                inference=inference, factors=list(factors),
                config=config.format(model), ms_per_image=ms,
                seconds=round(time.time() - t0, 1))


def ratios(figures: Dict[str, float]) -> Dict[str, Optional[float]]:
    """Each scale's figure over the scale-1 figure (None if that is 0)."""
    one = figures[scale_key(1.0)]
    return {k: v / one if one else None for k, v in figures.items()}


def worst_ratio(figures: Dict[str, float],
                span: Sequence[float] = TARGET_RANGE) -> Optional[float]:
    """The lowest ratio to scale 1 over ``span`` (scales, inclusive)."""
    lo, hi = span
    found = [r for k, r in ratios(figures).items()
             if lo - 1e-9 <= float(k) <= hi + 1e-9]
    return None if None in found else round(min(found), 4)


def fmt(value: Optional[float], spec: str = '.2f') -> str:
    return '-' if value is None else format(value, spec)


def plot(model: str, results: Dict[str, Dict], path: str) -> None:
    """Digit mIoU against scale (log axis), one curve per variant."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=100)
    for variant, r in results.items():
        xs = [float(k) for k in r['digit_miou']]
        ax.plot(xs, list(r['digit_miou'].values()), marker='o', ms=3,
                label=variant)
    ax.set_xscale('log', base=2)
    ax.axvspan(*TARGET_RANGE, color='0.93', zorder=0)
    ax.set_xlabel('digit scale (1 = M2NIST, 28 px digits)')
    ax.set_ylabel('digit mIoU (%)')
    ax.set_ylim(0, 100)
    ax.set_title(f'{model}: scale generalisation (shaded: 1/2 to 4)')
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def describe(result: Dict) -> str:
    """A variant's inference in words, for the table."""
    if result['inference'] == 'channels':
        return f'channels {result["factors"]}'
    return result['inference']


def render(key: str, r: dict) -> str:
    """The Markdown section of one model: table, plot, checkpoints."""
    results, model = r['variants'], r['model']
    variants = list(results)
    lines = [
        f'## Scale generalisation: {model}', '',
        f'Digit mIoU (%) on M2NIST-style {r["split"]} sets (digits from '
        f'MNIST {"t10k" if r["split"] == "test" else "train 50000-59999"}, '
        f'seed {r["seed"]}) at each digit scale; in brackets the ratio to '
        'the same variant at scale 1. Variants: ' + '; '.join(
            f'`{v}` {VARIANT_TEXT[v]}' for v in variants) + '. Scale '
        f'channels: factors {r["factors"]}, fusion `{r["fusion"]}`.',
        '',
        f'![{model} digit mIoU against scale]({r["png"]})', '',
        '| scale | images | ' + ' | '.join(variants) + ' |',
        '|---' * (len(variants) + 2) + '|'
    ]
    for scale, count in zip(r['scales'], r['counts']):
        key = scale_key(scale)
        cells = [f'{v["digit_miou"][key]:.2f} '
                 f'({fmt(ratios(v["digit_miou"])[key])})'
                 for v in results.values()]
        lines.append(f'| {key} | {count} | ' + ' | '.join(cells) + ' |')
    one = scale_key(1.0)
    lines += ['', '| variant | config | checkpoint | inference | lowest '
              'ratio, scales 1/2-4 | 1/2-8 | ms per image at scale 1 | '
              'eval seconds |', '|---' * 8 + '|']
    lines += [f'| {v} | `{x.get("config", "-")}` | `{x["checkpoint"]}` | '
              f'{describe(x)} | '
              f'{fmt(worst_ratio(x["digit_miou"]), ".3f")} | '
              f'{fmt(worst_ratio(x["digit_miou"], WIDE_RANGE), ".3f")} | '
              f'{fmt(x.get("ms_per_image", {}).get(one))} | {x["seconds"]} |'
              for v, x in results.items()]
    return '\n'.join(lines)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n'.join(__doc__.splitlines()[2:]))
    parser.add_argument('--models', nargs='+', default=['fastscnn'],
                        choices=['fastscnn', 'unet'])
    parser.add_argument('--variants', nargs='+', default=list(VARIANTS),
                        choices=list(VARIANTS))
    parser.add_argument('--checkpoint', nargs='*', default=[],
                        metavar='MODEL.TRAINING=PATH')
    parser.add_argument('--factors', nargs='+', type=float,
                        default=[2.0, 0.5], help='scale channels')
    parser.add_argument('--fusion', default='select',
                        choices=['max', 'mean', 'select'])
    parser.add_argument('--scales', nargs='+', type=float,
                        default=list(SCALES))
    parser.add_argument('--images', type=int, default=200,
                        help='images per set up to scale 1 (fewer above)')
    parser.add_argument('--split', choices=['test', 'val'], default='test',
                        help='MNIST digits of the sets (val: for choosing '
                        'factors and fusion)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--mnist', default=osp.join(REPO, 'data', 'mnist'),
                        help='folder with the MNIST IDX files')
    parser.add_argument('--amp', action='store_true',
                        help='train missing models with --amp')
    parser.add_argument('--work-root', default='work_dirs/benchmark_scale')
    parser.add_argument('--docs', default=DOCS)
    args = parser.parse_args(argv)
    for spec in args.checkpoint:
        key = spec.split('=', 1)[0]
        model, _, training = key.partition('.')
        if '=' not in spec or model not in (
                'fastscnn', 'unet') or training not in CONFIGS:
            parser.error(f'--checkpoint {spec!r}: expected MODEL.TRAINING='
                         'PATH with MODEL fastscnn|unet, TRAINING '
                         f'{"|".join(CONFIGS)}')
    if not any(abs(s - 1) < 1e-9 for s in args.scales):
        parser.error('--scales must include 1 (figures are relative to it)')
    return args


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    counts = scale_counts(args.scales, args.images)
    sets = make_scale_sets(osp.join(args.work_root, f'sets_{args.split}'),
                           args.mnist, args.scales, counts, args.seed,
                           args.split)
    prefix = 'scale' if args.split == 'test' else 'scale_val'
    runs, figures = {}, {}
    os.makedirs(args.docs, exist_ok=True)
    for model in args.models:
        results = {v: evaluate(model, v, sets, args) for v in args.variants}
        png = f'{prefix}_{model}.png'
        plot(model, results, osp.join(args.docs, png))
        runs[f'{prefix}.{model}'] = dict(benchmark='scale', results=dict(
            model=model, variants=results, counts=counts,
            scales=args.scales, split=args.split, seed=args.seed,
            factors=args.factors, fusion=args.fusion, png=png))
        for variant, r in results.items():
            base = f'{prefix}.{model}.{variant}'
            figures[f'{base}.digit_miou'] = r['digit_miou']
            figures[f'{base}.worst_ratio_half_to_4'] = worst_ratio(
                r['digit_miou'])
            figures[f'{base}.worst_ratio_half_to_8'] = worst_ratio(
                r['digit_miou'], WIDE_RANGE)
            figures[f'{base}.ms_per_image'] = r['ms_per_image']
            figures[f'{base}.inference'] = describe(r)
            print(base, r)
        figures[f'{prefix}.{model}.fusion'] = args.fusion
    save(runs, figures, command('scale', sys.argv[1:] if argv is None
                                else argv),
         prefixes=[f'{prefix}.{m}' for m in args.models], docs=args.docs)


if __name__ == '__main__':
    main()
