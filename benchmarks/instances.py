"""How often the mask -> instance rule is right, against the recipe.

    python -m benchmarks.instances [--data-root data/m2nist]

Replays the published M2NIST generator's layout (seed 1234: which digits,
where) for every image, takes each digit's ink from the class mask
(``m2nist_core.datagen.recipe_instances``) as ground truth, and compares the
instances ``derive_instances`` finds from the mask alone: an instance is
right when its class and box are exactly the true ones. Records the keys
``det.instances.*``.
"""
import argparse
import os.path as osp
import sys
from typing import List, Optional

import numpy as np

from m2nist_core.classes import BACKGROUND, CLASSES
from m2nist_core.datagen import recipe_instances, replay_layout
from m2nist_core.instances import derive_instances
from m2nist_core.splits import read_split
from .record import DOCS, REPO, command, save


def measure(masks: np.ndarray, max_gap: int) -> dict:
    """Counts of true, derived and exactly matching instances."""
    layout = replay_layout(num_images=len(masks))
    images_right = true = derived = matched = outside = 0
    wrong = []
    for i, (mask, draws) in enumerate(zip(masks, layout)):
        blocks = np.zeros(mask.shape, bool)
        for d in draws:
            if d.pasted:
                blocks[d.y:d.y + 28, d.x:d.x + 28] = True
        outside += int(((mask != BACKGROUND) & ~blocks).any())
        gt = recipe_instances(draws, mask)
        found = derive_instances(mask, max_gap=max_gap)
        true, derived = true + len(gt), derived + len(found)
        matched += sum(min(gt.count(x), found.count(x)) for x in set(gt))
        if sorted(gt) == sorted(found):
            images_right += 1
        else:
            wrong.append(i)
    return dict(images=len(masks), images_right=images_right, true=true,
                derived=derived, matched=matched, layout_outside=outside,
                wrong=wrong)


def render(key: str, results: dict) -> str:
    """The Markdown section: one row per ``max_gap``."""
    runs = results['gaps']
    lines = [
        '## Detection: instances derived from the masks', '',
        'Ground truth: the published generator replayed (seed 1234) '
        'gives every digit\'s class and 28x28 block; its ink is its class\'s '
        'pixels in its block less the blocks of later digits of its class. '
        'A derived instance is right when class and box are exactly the '
        'true ones. Images whose foreground lies outside the replayed '
        'blocks: ' + ', '.join(str(r['layout_outside'])
                               for r in runs.values()) + '.', '',
        '| max_gap | images right | true digits | derived | exact matches '
        '| recall | precision | wrong images (first 10) |', '|---' * 8 + '|'
    ]
    for gap, r in runs.items():
        lines.append(
            f'| {gap} | {r["images_right"]} / {r["images"]} | {r["true"]} | '
            f'{r["derived"]} | {r["matched"]} | '
            f'{100 * r["matched"] / r["true"]:.2f} % | '
            f'{100 * r["matched"] / r["derived"]:.2f} % | '
            f'{r["wrong"][:10]} |')
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data-root', default=osp.join(REPO, 'data',
                                                        'm2nist'))
    parser.add_argument('--max-gaps', type=int, nargs='+',
                        default=[2, 4, 6, 8, 10, 14],
                        help='max_gap values to measure (10: the default)')
    parser.add_argument('--docs', default=DOCS)
    args = parser.parse_args(argv)
    _, _, _, masks = read_split(args.data_root, 'combined.npy',
                                'segmented.npy', (0, 5000), (64, 84),
                                len(CLASSES))
    runs = {str(gap): measure(masks, gap) for gap in args.max_gaps}
    default = runs.get('10') or next(iter(runs.values()))
    figures = {
        'det.instances.images_right': 100 * default['images_right'] /
        default['images'],
        'det.instances.recall': 100 * default['matched'] / default['true'],
        'det.instances.precision':
        100 * default['matched'] / default['derived'],
    }
    results = dict(gaps=runs)
    save({'det.instances': dict(benchmark='instances', results=results)},
         figures, command('instances', sys.argv[1:] if argv is None
                          else argv),
         prefixes=['det.instances'], docs=args.docs)
    print(render('det.instances', results))


if __name__ == '__main__':
    main()
