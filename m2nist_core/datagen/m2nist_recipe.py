"""The published M2NIST generator recipe, replayed call for call.

farhanhubble's generator (``udacity-connect/segmented-generator.ipynb``,
function ``combine``) seeds numpy's legacy RNG once (1234) and, per image,
draws ``randint(2, 4)`` digits, then all their source rows at once
(``randint(0, 42000, n)``), then for digit ``i`` ``x = randint(28i, 28i+10)``
and ``y = randint(0, 37)``. A digit is pasted only when it fits
(``x + 28 <= 84``); its whole 28x28 block overwrites its class channel.
The image is the max over channels; the class map is the argmax of the
channels' ``> 0`` masks with background last, i.e. the lowest class wins
where inks overlap. Replaying the layout reproduces the real M2NIST: the
digits drawn from the first 1536 source rows match pixel for pixel.
"""
from typing import List, Tuple

import numpy as np

from .generator import GeneratorOptions, Placement, draw_image


def replay_layout(num_images: int = 5000,
                  seed: int = 1234,
                  num_rows: int = 42000,
                  img_shape: Tuple[int, int] = (64, 84)
                  ) -> List[List[Placement]]:
    """Per image, the digits drawn for it, in the generator's call order
    (``num_rows``: source rows drawn from, ``train.csv``'s 42000)."""
    rng = np.random.RandomState(seed)
    opts = GeneratorOptions(img_shape=tuple(img_shape))
    return [draw_image(rng, num_rows, opts) for _ in range(num_images)]
