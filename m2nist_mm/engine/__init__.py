from .hooks import ArrayDetVisualizationHook, ArraySegVisualizationHook
from .optimizers import CPUAmpOptimWrapper

__all__ = [
    'ArrayDetVisualizationHook', 'ArraySegVisualizationHook',
    'CPUAmpOptimWrapper'
]
