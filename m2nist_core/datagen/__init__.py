from .generator import (Digit, GenerationError, GeneratorOptions, Placement,
                        class_map, compose, draw_image)
from .m2nist_recipe import replay_layout
from .pools import csv_pool, mnist_pools
from .sources import read_digit_csv, read_idx, read_mnist
from .writer import Pool, generate_dataset

__all__ = [
    'Digit', 'GenerationError', 'GeneratorOptions', 'Placement', 'Pool',
    'class_map', 'compose', 'csv_pool', 'draw_image', 'generate_dataset',
    'mnist_pools', 'read_digit_csv', 'read_idx', 'read_mnist',
    'replay_layout'
]
