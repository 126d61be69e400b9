"""Data generation speed: M2NIST's 5000 images and 60,000, wall clock.

    python -m benchmarks.datagen [--mnist data/mnist]

Each count runs ``tools/generate_m2nist.py`` in a fresh process; records
``datagen.m2nist_<count>_seconds`` and ``_peak_mib``.
"""
import argparse
import os.path as osp
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from typing import List, Optional

from .record import DOCS, REPO, command, save
from .report import table

#: images -> --splits
COUNTS = {5000: ['train=4000', 'val=500', 'test=500'],
          60000: ['train=50000', 'val=5000', 'test=5000']}


def timed_run(cmd: list) -> tuple:
    """Wall seconds and peak RSS (MiB) of ``cmd`` in a child process."""
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak


def render(key: str, results: dict) -> str:
    """The Markdown section of a data generation run."""
    return '\n'.join([
        '## Data generation (M2NIST recipe over MNIST)', '',
        'Wall time of the whole command (reading MNIST, drawing, writing the '
        'compact arrays, digits.csv, COCO JSON); peak memory is the largest '
        'resident set of the child processes so far (the 60,000 figure '
        'covers both runs); it includes the pages of the memory-mapped '
        'output arrays written so far, which are file-backed (the kernel '
        'can drop them), not held by the generator.', ''] + table(
            ['images', 'seconds', 'peak MiB',
             'command (OUT: a temporary folder)'],
            [[r['images'], f'{r["seconds"]:.1f}', f'{r["peak_mib"]:.0f}',
              f'`{r["command"]}`'] for r in results['rows']]))


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--mnist', default='data/mnist',
                        help='folder with the MNIST IDX files (relative to '
                        'the repository)')
    parser.add_argument('--docs', default=DOCS)
    args = parser.parse_args(argv)
    figures, rows = {}, []
    with tempfile.TemporaryDirectory() as tmp:
        for count, splits in COUNTS.items():
            cmd = [sys.executable, 'tools/generate_m2nist.py',
                   osp.join(tmp, str(count)), '--mnist', args.mnist,
                   '--splits', *splits, '--no-progress']
            seconds, peak = timed_run(cmd)
            figures[f'datagen.m2nist_{count}_seconds'] = round(seconds, 2)
            figures[f'datagen.m2nist_{count}_peak_mib'] = round(peak)
            rows.append(dict(
                images=count, seconds=seconds, peak_mib=peak,
                command='python ' + shlex.join([cmd[1], 'OUT'] + cmd[3:])))
    results = dict(rows=rows)
    save({'datagen': dict(benchmark='datagen', results=results)}, figures,
         command('datagen', sys.argv[1:] if argv is None else argv),
         prefixes=['datagen'], docs=args.docs)
    print(render('datagen', results))


if __name__ == '__main__':
    main()
