"""M2NIST-recipe images drawn on demand: image ``i`` of a stream is a
function of ``(seed, i)`` alone."""
from typing import Tuple

import numpy as np

from .generator import GeneratorOptions, class_map, compose, draw_image


class RecipeStream:
    """Images of the M2NIST recipe over a pool of digits.

    Args:
        digits: ``uint8`` ``(N, 28, 28)`` pool digits.
        labels: ``(N,)`` their labels 0-9.
        rows: ``(N,)`` each digit's row in its source file.
        seed: Seed of the stream.
        opts: Generator options (default: the recipe's).

    Raises:
        ValueError: Empty or mismatched pool arrays.
    """

    def __init__(self, digits: np.ndarray, labels: np.ndarray,
                 rows: np.ndarray, seed: int = 0,
                 opts: GeneratorOptions = GeneratorOptions()) -> None:
        if not (len(digits) == len(labels) == len(rows)) or not len(digits):
            raise ValueError(
                f'RecipeStream: need as many digits, labels and rows, at '
                f'least one; got {len(digits)}, {len(labels)}, {len(rows)}')
        if digits.dtype != np.uint8 or digits.shape[1:] != (28, 28):
            raise ValueError('RecipeStream: digits must be uint8 (N, 28, '
                             f'28), got {digits.dtype} {digits.shape}')
        self.digits, self.labels, self.rows = digits, labels, rows
        self.seed, self.opts = int(seed), opts

    def sample(self, index: int) -> Tuple[np.ndarray, np.ndarray,
                                          np.ndarray]:
        """Image ``index`` (any int >= 0): ``uint8`` image, ``uint8`` class
        map (background 10) and the source rows of its pasted digits."""
        rng = np.random.RandomState([self.seed, int(index)])
        draws = [d for d in draw_image(rng, len(self.digits), self.opts)
                 if d.pasted]
        img, targets, _ = compose(draws, self.digits, self.labels,
                                  self.opts)
        return (img, class_map(targets, self.opts.img_shape),
                self.rows[[d.row for d in draws]])
