"""Design search on the validation split: FastSCNN variants trained on a
short proxy schedule, compared by their validation curves.

    python -m benchmarks.seg_design [--variants m2nist mnist_extra ...]
        [--iters 1000] [--pretrain-epochs 2] [--seed 0]

Each variant is a config of one training track with ``--cfg-options``
(:data:`VARIANTS`), trained with ``train_cfg.max_iters`` set to
``--iters`` (the learning-rate decay shrinks with it) and validated as the
config says. Variants marked *pretrained* start from a backbone that
``tools/pretrain_backbone.py`` first trains as an MNIST digit classifier
(MNIST train digits in no M2NIST validation or test image; made once per
seed and shared by those variants). Nothing here reads the test split or
the held-out set: the design is chosen on validation figures alone.
Records ``design.fastscnn.<variant>.{best_val_digit_miou,
final_val_digit_miou,train_minutes,pretrain_minutes,pretrain_accuracy}``.
"""
import argparse
import os.path as osp
import shutil
import sys
from typing import List, Optional

from .record import DOCS, REPO, command, save
from .runner import run, train_run, val_curve
from .seg import TRACKS

#: variant -> (what it is, track, pretrained backbone, more --cfg-options)
VARIANTS = {
    'm2nist': ('M2NIST training images only', 'm2nist', False, []),
    'mnist_extra': ('plus 36000 recipe images of extra MNIST train digits',
                    'mnist_extra', False, []),
    'm2nist_pretrained': ('M2NIST training images, backbone pretrained on '
                          'MNIST digits', 'm2nist', True, []),
    'mnist_extra_pretrained': ('recipe images of extra digits and the '
                               'pretrained backbone', 'mnist_extra', True,
                               []),
}
FIGURES = ('best_val_digit_miou', 'final_val_digit_miou', 'train_minutes',
           'pretrain_minutes', 'pretrain_accuracy')


def pretrained_backbone(args: argparse.Namespace) -> dict:
    """Pretrain the FastSCNN backbone once (per seed and epochs); its
    checkpoint, minutes, accuracy and command."""
    out = osp.join(args.work_root, f'backbone_seed{args.seed}_'
                   f'{args.pretrain_epochs}ep.pth')
    cmd = [sys.executable, 'tools/pretrain_backbone.py',
           TRACKS['mnist_extra'].format(model='fastscnn'), '--out', out,
           '--mnist', args.mnist, '--epochs', str(args.pretrain_epochs),
           '--seed', str(args.seed)]
    run(cmd, REPO)
    import torch
    meta = torch.load(osp.join(REPO, out), weights_only=True)['meta']
    return dict(checkpoint=out, minutes=meta['minutes'],
                accuracy=meta['accuracy'], command=' '.join(cmd[1:]))


def train_variant(name: str, args: argparse.Namespace,
                  backbone: Optional[dict]) -> dict:
    """Train one variant on the proxy schedule; its validation curve."""
    _, track, pretrained, options = VARIANTS[name]
    config = TRACKS[track].format(model='fastscnn')
    work = osp.join(args.work_root, f'{name}_seed{args.seed}')
    shutil.rmtree(osp.join(REPO, work), ignore_errors=True)
    options = [f'randomness.seed={args.seed}',
               f'train_cfg.max_iters={args.iters}', *options]
    if pretrained:
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
        pretrain_minutes=round(backbone['minutes'], 2) if pretrained
        else None,
        pretrain_accuracy=backbone['accuracy'] if pretrained else None,
        curve=curve,
        commands=([backbone['command']] if pretrained else []) +
        [' '.join(cmd[1:])])


def render(key: str, results: dict) -> str:
    """The Markdown section of a design search."""
    runs = results['runs']
    lines = [
        '## Segmentation: FastSCNN designs on the validation split', '',
        f'Proxy schedule of {runs[0]["iters"]} iterations, seed '
        f'{runs[0]["seed"]}, validation split (images 4000-4499) only. '
        'Pretraining: the backbone as an MNIST digit classifier, accuracy on '
        'MNIST train rows 50000-59999 in no M2NIST validation or test image. '
        'Minutes are wall clock on this machine.', '',
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
    parser.add_argument('--pretrain-epochs', type=float, default=2)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--mnist', default=osp.join(REPO, 'data', 'mnist'),
                        help='MNIST IDX files (pretraining digits)')
    parser.add_argument('--work-root', default='work_dirs/benchmark_design')
    parser.add_argument('--docs', default=DOCS)
    args = parser.parse_args(argv)
    backbone = None
    if any(VARIANTS[v][2] for v in args.variants):
        backbone = pretrained_backbone(args)
    runs = [train_variant(v, args, backbone) for v in args.variants]
    key = 'design.fastscnn'
    figures = {f'{key}.{r["variant"]}.{k}': r[k] for r in runs
               for k in FIGURES}
    save({key: dict(benchmark='seg_design', results=dict(runs=runs))},
         figures, command('seg_design', sys.argv[1:] if argv is None
                          else argv),
         prefixes=[f'{key}.{r["variant"]}' for r in runs] + [key],
         docs=args.docs)
    for r in runs:
        print({k: v for k, v in r.items() if k != 'curve'})


if __name__ == '__main__':
    main()
