"""Scale-generalisation benchmark: digit mIoU at 17 digit scales, 1/2 to 8,
of the plain config (``baseline``) and its scale-select config
(``select``), both with the scale-1 checkpoint (docs/scale.md). Writes a
table per model, a plot ``docs/scale_<model>.png`` and the keys
``scale.<model>.<variant>.*``.

    python -m benchmarks.scale --models fastscnn --checkpoint \\
        fastscnn.scale1=work_dirs/m2nist_fastscnn/iter_2000.pth
"""
import argparse
import os
import os.path as osp
import sys
import time
from typing import Dict, List, Optional, Sequence

import numpy as np

from m2nist_core.datagen.scale_sets import make_scale_sets, scale_counts
from m2nist_core.datagen.scales import SCALES
from .record import DOCS, REPO, command, save
from .report import fmt, table
from .runner import seg_checkpoint

#: variant -> (config, inference)
VARIANTS = dict(baseline=('configs/m2nist_{}.py', 'single'),
                select=('configs/m2nist_{}_scale-select.py', 'select'))
VARIANT_TEXT = dict(
    baseline='scale-1 model',
    select='scale-1 model with half-octave scale channels, 2 to 1/8, '
    'each image read by its most confident channel')
#: the targets: >= 90 % of the scale-1 figure from 1/2 to 4, 80 % to 8
TARGET_RANGE = (0.5, 4.0)
WIDE_RANGE = (0.5, 8.0)
#: about how many image pixels one forward batch holds
BATCH_PIXELS = 2**17


def scale_key(scale: float) -> str:
    return f'{scale:.3f}'


def checkpoint(model: str, args: argparse.Namespace) -> str:
    """The model's scale-1 checkpoint: the one given, else benchmarks.seg's.

    Raises:
        FileNotFoundError: A given checkpoint does not exist.
    """
    given = dict(c.split('=', 1) for c in args.checkpoint)
    path = given.get(f'{model}.scale1') or seg_checkpoint(model)
    if not osp.isfile(path):
        raise FileNotFoundError(f'--checkpoint {model}.scale1: no file {path}')
    return path


def evaluate(model: str, variant: str, sets: Sequence[str],
             args: argparse.Namespace) -> Dict:
    """Digit mIoU and ms per image of one variant (a key of
    :data:`VARIANTS`) on every scale set (``sets``, one per
    ``args.scales``); its checkpoint, config, inference and the seconds of
    the whole evaluation."""
    from m2nist_mm.apis import load_model, torch_predict
    from m2nist_mm.datasets.m2nist import M2NISTDataset
    from m2nist_mm.evaluation import class_map_metrics
    config, inference = (v.format(model) for v in VARIANTS[variant])
    ckpt = checkpoint(model, args)
    t0 = time.time()
    net = load_model(osp.join(REPO, config), ckpt)
    classes = M2NISTDataset.METAINFO['classes']
    figures, ms = {}, {}
    for scale, folder in zip(args.scales, sets):
        t_set = time.perf_counter()
        images = np.load(osp.join(folder, 'combined.npy'))
        labels = np.load(osp.join(folder, 'segmented.npy'))
        batch = max(1, BATCH_PIXELS // (images.shape[1] * images.shape[2]))
        preds = np.stack(torch_predict(net, images, batch))
        ms[scale_key(scale)] = round(
            1000 * (time.perf_counter() - t_set) / len(images), 2)
        figures[scale_key(scale)] = class_map_metrics(preds, labels,
                                                      classes)['digit_mIoU']
    return dict(digit_miou=figures, checkpoint=osp.relpath(ckpt, REPO),
                inference=inference, config=config, ms_per_image=ms,
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
            f'`{v}` {VARIANT_TEXT[v]}' for v in variants) + '.',
        '',
        f'![{model} digit mIoU against scale]({r["png"]})', ''
    ] + table(['scale', 'images', *variants], [
        [scale_key(scale), count] +
        [f'{v["digit_miou"][scale_key(scale)]:.2f} '
         f'({fmt(ratios(v["digit_miou"])[scale_key(scale)])})'
         for v in results.values()]
        for scale, count in zip(r['scales'], r['counts'])])
    one = scale_key(1.0)
    lines += [''] + table(
        ['variant', 'config', 'checkpoint', 'inference',
         'lowest ratio, scales 1/2-4', '1/2-8', 'ms per image at scale 1',
         'eval seconds'],
        [[v, f'`{x.get("config", "-")}`', f'`{x["checkpoint"]}`',
          x['inference'], fmt(worst_ratio(x['digit_miou']), '.3f'),
          fmt(worst_ratio(x['digit_miou'], WIDE_RANGE), '.3f'),
          fmt(x.get('ms_per_image', {}).get(one)), x['seconds']]
         for v, x in results.items()])
    return '\n'.join(lines)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--models', nargs='+', default=['fastscnn'],
                        choices=['fastscnn', 'unet'])
    parser.add_argument('--variants', nargs='+', default=list(VARIANTS),
                        choices=list(VARIANTS))
    parser.add_argument('--checkpoint', nargs='*', default=[],
                        metavar='MODEL.scale1=PATH',
                        help='a scale-1 checkpoint of MODEL (default: the '
                        'seed-0 checkpoint of benchmarks.seg)')
    parser.add_argument('--scales', nargs='+', type=float,
                        default=list(SCALES))
    parser.add_argument('--images', type=int, default=200,
                        help='images per set up to scale 1 (fewer above)')
    parser.add_argument('--split', choices=['test', 'val'], default='test',
                        help='MNIST digits of the sets (val: for choosing '
                        "the scale-select segmentor's settings)")
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--mnist', default=osp.join(REPO, 'data', 'mnist'),
                        help='folder with the MNIST IDX files')
    parser.add_argument('--work-root', default='work_dirs/benchmark_scale')
    parser.add_argument('--docs', default=DOCS)
    args = parser.parse_args(argv)
    for spec in args.checkpoint:
        if spec.split('=', 1)[0] not in ('fastscnn.scale1', 'unet.scale1') \
                or '=' not in spec:
            parser.error(f'--checkpoint {spec!r}: expected MODEL.scale1=PATH '
                         'with MODEL fastscnn|unet')
    if not any(abs(s - 1) < 1e-9 for s in args.scales):
        parser.error('--scales must include 1 (figures are relative to it)')
    return args


def main(argv: Optional[List[str]] = None) -> None:
    """Measure every model and variant asked for; record them in the
    docs."""
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
            scales=args.scales, split=args.split, seed=args.seed, png=png))
        for variant, r in results.items():
            base = f'{prefix}.{model}.{variant}'
            figures[f'{base}.digit_miou'] = r['digit_miou']
            figures[f'{base}.worst_ratio_half_to_4'] = worst_ratio(
                r['digit_miou'])
            figures[f'{base}.worst_ratio_half_to_8'] = worst_ratio(
                r['digit_miou'], WIDE_RANGE)
            figures[f'{base}.ms_per_image'] = r['ms_per_image']
            figures[f'{base}.inference'] = r['inference']
            print(base, r)
    save(runs, figures, command('scale', sys.argv[1:] if argv is None
                                else argv),
         prefixes=[f'{prefix}.{m}' for m in args.models], docs=args.docs)


if __name__ == '__main__':
    main()
