from .hooks import ArraySegVisualizationHook
from .optimizers import CPUAmpOptimWrapper

__all__ = ['ArraySegVisualizationHook', 'CPUAmpOptimWrapper']
