"""Design search on the validation split: FastSCNN variants trained on a
short proxy schedule, compared by their validation curves.

    python -m benchmarks.seg_design [--variants m2nist mnist_extra ...]
        [--iters 1000] [--seed 0]

Each variant is a config with more ``--cfg-options``
(:data:`VARIANTS`), trained with ``train_cfg.max_iters`` set to
``--iters`` (the learning-rate decay shrinks with it) and validated as the
config says. Variants marked *pretrained* start from a backbone that
``tools/pretrain_backbone.py`` first trains as a digit classifier, on
MNIST train digits in no M2NIST validation or test image or on crops of
the digits of M2NIST's own training images (each made once per seed and
shared by the variants that use it). Nothing here reads the test split or
the held-out set: the design is chosen on validation figures alone.
Records ``design.fastscnn.<variant>.{best_val_digit_miou,
final_val_digit_miou,train_minutes,pretrain_minutes,pretrain_accuracy}``.
"""
import argparse
import os.path as osp
import shutil
import sys
from typing import Dict, List, Optional

from .record import DOCS, REPO, command, save
from .runner import pretrain_backbone, train_run, val_curve

PLAIN = 'configs/m2nist_fastscnn.py'
RECIPE = 'configs/m2nist_fastscnn_mnist-recipe.py'
#: variant -> (what it is, config, the digits its backbone is pretrained on
#: (None: not pretrained), more --cfg-options)
VARIANTS = {
    'm2nist': ('M2NIST training images only', PLAIN, None, []),
    'mnist_extra': ('plus 36000 recipe images of extra MNIST train digits',
                    RECIPE, None, []),
    'm2nist_pretrained': ('M2NIST training images, backbone pretrained on '
                          'MNIST digits', PLAIN, 'mnist', []),
    'mnist_extra_pretrained': ('recipe images of extra digits and the '
                               'backbone pretrained on MNIST digits',
                               RECIPE, 'mnist', []),
    'm2nist_crop_pretrained': ('M2NIST training images, backbone pretrained '
                               'on crops of their own digits', PLAIN,
                               'm2nist', []),
}
#: Pretraining epochs per digit source: about 760 steps of 128 digits each
#: (48,558 MNIST digits, 8204 digits of M2NIST's training images).
PRETRAIN_EPOCHS = dict(mnist=2, m2nist=12)
FIGURES = ('best_val_digit_miou', 'final_val_digit_miou', 'train_minutes',
           'pretrain_minutes', 'pretrain_accuracy')


def train_variant(name: str, args: argparse.Namespace,
                  backbones: Dict[str, dict]) -> dict:
    """Train one variant on the proxy schedule; its validation curve."""
    _, config, digits, options = VARIANTS[name]
    backbone = backbones.get(digits)
    work = osp.join(args.work_root, f'{name}_seed{args.seed}')
    shutil.rmtree(osp.join(REPO, work), ignore_errors=True)
    options = [f'randomness.seed={args.seed}',
               f'train_cfg.max_iters={args.iters}', *options]
    if backbone:
        init = 'model.backbone.init_cfg'
        options += [f'{init}.type=Pretrained',
                    f'{init}.checkpoint={backbone["checkpoint"]}']
    cmd = [sys.executable, 'tools/train.py', config, '--work-dir', work,
           '--cfg-options', *options]
    log, t0, t_end = train_run(cmd, work, REPO)
    curve = [(i, m, v['digit_mIoU']) for i, m, v in val_curve(log, t0)]
    return dict(
        variant=name, seed=args.seed, iters=args.iters,
        best_val_digit_miou=max(d for _, _, d in curve),
        final_val_digit_miou=curve[-1][2],
        train_minutes=round((t_end - t0) / 60, 2),
        pretrain_minutes=backbone['minutes'] if backbone else None,
        pretrain_accuracy=backbone['accuracy'] if backbone else None,
        curve=curve,
        commands=([backbone['command']] if backbone else []) +
        [' '.join(cmd[1:])])


def render(key: str, results: dict) -> str:
    """The Markdown section of a design search."""
    runs = results['runs']
    names = ', '.join(r['variant'] for r in runs)
    lines = [
        f'## Segmentation: FastSCNN design search ({names}), validation '
        'split', '',
        f'Proxy schedule of {runs[0]["iters"]} iterations, seed '
        f'{runs[0]["seed"]}, validation split (images 4000-4499) only. '
        'Pretraining: the backbone as a digit classifier; its accuracy is on '
        'digits it did not learn from (MNIST: train rows 50000-59999 in no '
        "M2NIST validation or test image; crops of M2NIST's digits: those of "
        'the validation images). Minutes are wall clock on this machine.',
        '',
        '| variant | what | best val digit mIoU | final val digit mIoU | '
        'train minutes | pretrain minutes | pretrain accuracy |',
        '|---' * 7 + '|'
    ]
    for r in runs:
        acc = r['pretrain_accuracy']
        lines.append(
            f'| {r["variant"]} | {VARIANTS[r["variant"]][0]} | '
            f'{r["best_val_digit_miou"]:.2f} | '
            f'{r["final_val_digit_miou"]:.2f} | {r["train_minutes"]:.1f} | '
            f'{r["pretrain_minutes"] or "—"} | '
            f'{"—" if acc is None else f"{100 * acc:.2f} %"} |')
    for r in runs:
        lines += ['', f'{r["variant"]}, commands run:', '']
        lines += [f'- `{c}`' for c in r['commands']]
        lines += ['', 'Validation curve (iteration: minutes, digit mIoU): ' +
                  ', '.join(f'{i}: {m:.1f} min, {d:.2f}'
                            for i, m, d in r['curve'])]
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--variants', nargs='+', default=list(VARIANTS),
                        choices=list(VARIANTS))
    parser.add_argument('--iters', type=int, default=1000,
                        help='training iterations of the proxy schedule')
    parser.add_argument('--seed', type=int, default=0)
    # relative: the recorded commands name no folder of this machine
    parser.add_argument('--mnist', default='data/mnist',
                        help='MNIST IDX files (pretraining digits; relative '
                        'to the repository)')
    parser.add_argument('--work-root', default='work_dirs/benchmark_design')
    parser.add_argument('--docs', default=DOCS)
    args = parser.parse_args(argv)
    backbones = {
        digits: pretrain_backbone(
            PLAIN,
            osp.join(args.work_root, f'backbone_{digits}_seed{args.seed}.pth'),
            args.mnist, REPO, PRETRAIN_EPOCHS[digits], args.seed,
            ['--digits', digits])
        for digits in dict.fromkeys(VARIANTS[v][2] for v in args.variants)
        if digits}
    runs = [train_variant(v, args, backbones) for v in args.variants]
    # one run (and section) per variant: each keeps its own provenance
    keys = [f'design.fastscnn.{r["variant"]}' for r in runs]
    figures = {f'{key}.{k}': r[k] for key, r in zip(keys, runs)
               for k in FIGURES}
    save({key: dict(benchmark='seg_design', results=dict(runs=[r]))
          for key, r in zip(keys, runs)},
         figures, command('seg_design', sys.argv[1:] if argv is None
                          else argv), prefixes=keys, docs=args.docs)
    for r in runs:
        print({k: v for k, v in r.items() if k != 'curve'})


if __name__ == '__main__':
    main()
