from .det_visualization_hook import ArrayDetVisualizationHook
from .visualization_hook import ArraySegVisualizationHook

__all__ = ['ArrayDetVisualizationHook', 'ArraySegVisualizationHook']
