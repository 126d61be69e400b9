"""The published M2NIST generator recipe (farhanhubble's
``udacity-connect/segmented-generator.ipynb``, function ``combine``),
replayed call for call (``docs/data.md``).
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
