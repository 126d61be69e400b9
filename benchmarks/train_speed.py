"""Training speed on this CPU: what each option gives one training step.

    python -m benchmarks.train_speed [--models fastscnn unet] [--steps 30]

For each model config it builds the model, the optimiser and a batch of
real training images (the config's train pipeline), then times the
training step (data preprocessor, forward, loss, backward, AdamW step)
under each option: float32 (the configs' default), bfloat16 autocast
(``tools/train.py --amp``), channels-last memory format, both,
``torch.compile`` and batch sizes 8 and 32. It also times the train data
loader alone (images per second) with 0, 1 and 2 worker processes. Every
figure is the median over ``--steps`` steps after warm-up, in one process,
so the ratios compare like with like. Records
``train_speed.<model>.<option>.ms_per_image`` and the CPU's ``amx`` /
``avx512_bf16`` flags.
"""
import argparse
import contextlib
import os.path as osp
import sys
import time
from typing import Callable, Dict, List, Optional

from .record import DOCS, REPO, command, save
from .runner import timed

#: option -> (batch size, bf16 autocast, channels_last, torch.compile)
OPTIONS = {
    'fp32': (16, False, False, False),
    'bf16': (16, True, False, False),
    'channels_last': (16, False, True, False),
    'bf16_channels_last': (16, True, True, False),
    'compile': (16, False, False, True),
    'fp32_batch8': (8, False, False, False),
    'fp32_batch32': (32, False, False, False),
}
WORKERS = (0, 1, 2)


def cpu_flags() -> Dict[str, bool]:
    """Whether the CPU has AMX (tiles) and AVX-512 BF16, from /proc/cpuinfo."""
    try:
        with open('/proc/cpuinfo') as f:
            flags = next((line.split(':', 1)[1].split() for line in f
                          if line.startswith('flags')), [])
    except OSError:
        flags = []
    return dict(amx='amx_tile' in flags, avx512_bf16='avx512_bf16' in flags)


def _train_step(cfg, samples: list, batch_size: int, bf16: bool,
                channels_last: bool,
                compile_model: bool) -> Callable[[], None]:
    """One training step of the config's model on a fixed real batch (the
    first ``batch_size`` of ``samples``, outputs of the train pipeline)."""
    import torch
    from mmengine.dataset import pseudo_collate
    from mmseg.registry import MODELS
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).train()
    batch = pseudo_collate(samples[:batch_size])
    optim = torch.optim.AdamW(model.parameters(), lr=1e-4)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    forward = torch.compile(model) if compile_model else model

    def step() -> None:
        data = model.data_preprocessor(batch, True)
        if channels_last:
            data['inputs'] = data['inputs'].contiguous(
                memory_format=torch.channels_last)
        amp = torch.autocast('cpu', dtype=torch.bfloat16) if bf16 \
            else contextlib.nullcontext()
        with amp:
            losses = forward(**data, mode='loss')
        loss, _ = model.parse_losses(losses)
        optim.zero_grad()
        loss.backward()
        optim.step()
    return step


def loader_speed(cfg, workers: int, batches: int) -> float:
    """Images per second the train data loader delivers (after its first
    batch, which starts the workers)."""
    from mmengine.runner import Runner
    loader_cfg = cfg.train_dataloader.copy()
    loader_cfg.update(num_workers=workers, persistent_workers=workers > 0)
    loader = iter(Runner.build_dataloader(loader_cfg, seed=0))
    next(loader)
    t0 = time.perf_counter()
    for _ in range(batches):
        next(loader)
    return batches * loader_cfg.batch_size / (time.perf_counter() - t0)


def bench(model: str, steps: int) -> dict:
    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from m2nist_mm.utils.setup_env import import_custom_modules
    cfg = Config.fromfile(osp.join(REPO, f'configs/m2nist_{model}.py'))
    import_custom_modules(cfg)
    init_default_scope('mmseg')
    from mmseg.registry import DATASETS
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    samples = [dataset[i] for i in range(max(o[0] for o in OPTIONS.values()))]
    options = {}
    for name, (batch, bf16, last, comp) in OPTIONS.items():
        try:
            step = _train_step(cfg, samples, batch, bf16, last, comp)
            seconds = timed(step, steps)
        except Exception as e:  # e.g. no C++ compiler for torch.compile
            options[name] = dict(error=f'{type(e).__name__}: {e}'[:200])
            continue
        options[name] = dict(batch=batch, ms_per_image=round(
            1000 * seconds / batch, 3))
    base = options['fp32']['ms_per_image']
    for row in options.values():
        if 'ms_per_image' in row:
            row['speedup'] = round(base / row['ms_per_image'], 3)
    loaders = {w: round(loader_speed(cfg, w, steps), 1) for w in WORKERS}
    return dict(model=model, threads=torch.get_num_threads(),
                options=options, loader_images_per_s=loaders)


def render(key: str, results: dict) -> str:
    """The Markdown section of a training speed run."""
    flags = results['cpu']
    lines = [
        '## Training speed options', '',
        'One training step (preprocessing, forward, loss, backward, AdamW) '
        'on a fixed batch of real training images, median over '
        f'{results["steps"]} steps after 3 warm-up steps, all options in one '
        'process; "speedup" is relative to float32 batch 16 (the configs\' '
        'default). CPU flags: AMX '
        f'{"yes" if flags["amx"] else "no"}, AVX-512 BF16 '
        f'{"yes" if flags["avx512_bf16"] else "no"}.', '',
        '| model | option | batch | ms per image | speedup |',
        '|---|---|---|---|---|']
    for run in results['runs']:
        for name, row in run['options'].items():
            if 'error' in row:
                lines.append(f'| {run["model"]} | {name} | | failed: '
                             f'{row["error"]} | |')
            else:
                lines.append(f'| {run["model"]} | {name} | {row["batch"]} | '
                             f'{row["ms_per_image"]:.2f} | '
                             f'{row["speedup"]:.2f} |')
    lines += ['', 'Train data loader alone (images per second):', '',
              '| model | ' + ' | '.join(f'{w} workers' for w in WORKERS) +
              ' |', '|---' * (len(WORKERS) + 1) + '|']
    for run in results['runs']:
        speeds = run['loader_images_per_s']
        lines.append(f'| {run["model"]} | ' + ' | '.join(
            f'{speeds[str(w)] if str(w) in speeds else speeds[w]:.0f}'
            for w in WORKERS) + ' |')
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--models', nargs='+', default=['fastscnn'],
                        choices=['fastscnn', 'unet'])
    parser.add_argument('--steps', type=int, default=30)
    parser.add_argument('--docs', default=DOCS)
    args = parser.parse_args(argv)
    runs = [bench(m, args.steps) for m in args.models]
    results = dict(steps=args.steps, cpu=cpu_flags(), runs=runs)
    figures = {f'train_speed.{k}': v for k, v in results['cpu'].items()}
    for run in runs:
        for name, row in run['options'].items():
            figures[f'train_speed.{run["model"]}.{name}.ms_per_image'] = \
                row.get('ms_per_image')
    save({'train_speed': dict(benchmark='train_speed', results=results)},
         figures, command('train_speed', sys.argv[1:] if argv is None
                          else argv),
         prefixes=['train_speed'], docs=args.docs)
    print(render('train_speed', results))


if __name__ == '__main__':
    main()
